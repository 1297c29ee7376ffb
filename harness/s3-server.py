# The local S3 server for the harness: moto's S3 in server mode (see README, "The object store").
# Started by harness/s3.ts as `python3 harness/s3-server.py PORT [--auth]`. It prints one JSON
# line {"endpoint", "accessKeyId", "secretAccessKey"} on stdout once it serves, then reads JSON
# commands from stdin, one a line, and answers each with one JSON line:
#   {"cmd": "preload", "bucket": B, "file": F}   bulk-load objects from a JSON-lines file
#                                                {"k": key, "s": size, "t": content type, "m": ms}
#                                                straight into moto's store (PUT cannot set LastModified)
# It exits when stdin closes, so it never outlives the harness.
#
# --auth turns on moto's IAM mode, the only mode where moto checks signatures: the first three
# calls (the IAM bootstrap below) go through unsigned, every later one needs the key created
# here. That mode breaks presigned URLs and percent-encoded keys in moto 5.2, so the harness uses
# it only to test bad credentials; everything else runs without --auth.
import datetime
import json
import logging
import os
import sys

if "--auth" in sys.argv:
    os.environ["INITIAL_NO_AUTH_ACTION_COUNT"] = "3"
# moto lists 1,000 keys a page by default only if told (S3's and R2's default and cap).
os.environ.setdefault("MOTO_S3_DEFAULT_MAX_KEYS", "1000")

import boto3  # noqa: E402  (moto reads the settings above at import)
from moto.server import ThreadedMotoServer  # noqa: E402
from moto.s3.models import s3_backends  # noqa: E402

POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
ACCOUNT = "123456789012"  # moto's default account: the one unsigned and default requests land in


def bootstrap_key(endpoint: str) -> dict:
    iam = boto3.client("iam", endpoint_url=endpoint, region_name="us-east-1",
                       aws_access_key_id="bootstrap", aws_secret_access_key="bootstrap")
    iam.create_user(UserName="harness")
    iam.put_user_policy(UserName="harness", PolicyName="s3-all", PolicyDocument=json.dumps(POLICY))
    key = iam.create_access_key(UserName="harness")["AccessKey"]
    return {"accessKeyId": key["AccessKeyId"], "secretAccessKey": key["SecretAccessKey"]}


def preload(bucket: str, file: str) -> int:
    backend = s3_backends[ACCOUNT]["aws"]
    n = 0
    with open(file, encoding="utf-8") as f:
        for line in f:
            o = json.loads(line)
            key = backend.put_object(bucket, o["k"], b"\0" * o["s"])
            key.set_metadata({"Content-Type": o["t"]})
            key.last_modified = datetime.datetime.fromtimestamp(o["m"] / 1000, datetime.timezone.utc).replace(tzinfo=None)
            n += 1
    return n


def main() -> None:
    port = int(sys.argv[1])
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    creds = bootstrap_key(endpoint) if "--auth" in sys.argv else {"accessKeyId": "harness", "secretAccessKey": "harness"}
    print(json.dumps({"endpoint": endpoint, **creds}), flush=True)
    for line in sys.stdin:
        try:
            cmd = json.loads(line)
            if cmd.get("cmd") == "preload":
                print(json.dumps({"ok": True, "n": preload(cmd["bucket"], cmd["file"])}), flush=True)
            else:
                print(json.dumps({"ok": False, "error": f"unknown command {cmd.get('cmd')}"}), flush=True)
        except Exception as e:  # one line back to the caller, who reports it
            print(json.dumps({"ok": False, "error": f"{type(e).__name__}: {e}"}), flush=True)
    server.stop()


if __name__ == "__main__":
    main()
