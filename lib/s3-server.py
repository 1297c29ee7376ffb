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

import bisect  # noqa: E402
import threading  # noqa: E402
import urllib.parse  # noqa: E402
from xml.sax.saxutils import escape  # noqa: E402

import boto3  # noqa: E402  (moto reads the settings above at import)
from moto.server import ThreadedMotoServer  # noqa: E402
from moto.s3.exceptions import InvalidContinuationToken, MethodNotAllowed  # noqa: E402
from moto.s3.models import FakeDeleteMarker, FakeTableStorageBucket, S3Backend, s3_backends  # noqa: E402
from moto.s3.responses import S3Response  # noqa: E402
from moto.s3.utils import _VersionedKeyStore  # noqa: E402
from moto import settings as moto_settings  # noqa: E402

# --- The listing patch ------------------------------------------------------------------------
# moto's ListObjectsV2 copies, filters and sorts the whole bucket for every page (S3Backend.
# list_objects), so listing N keys costs N/1000 sorts of N: a 1M-key bucket takes hours. The
# harness lists whole buckets (the audit), so this replaces it with a sorted index of each
# bucket's key names, kept up to date by the key store's own mutators, and answers a page by
# bisecting to the continuation token, prefix or start-after and reading the next max-keys names.
# The HTTP side (moto's responses.py, tokens, XML) is untouched, and so are the semantics moto
# had: Python orders str by code point, which is UTF-8 byte order (S3's and R2's); items (keys
# and common prefixes) strictly after the token or start-after; a common prefix at or before it
# is skipped with all its keys; delete markers are not listed. ListObjects (v1) stays moto's.


class KeyIndex:
    """One bucket's key names in code-point order. Mutations land in two small sets; the next
    listing folds them in (one linear merge), so a PUT costs O(1) and a page O(log n + page)."""

    def __init__(self, names):
        self.lock = threading.Lock()
        self.names = sorted(names)  # replaced, never changed in place: pages in flight keep theirs
        self.added = set()
        self.removed = set()

    def add(self, name):
        with self.lock:
            if name in self.removed:
                self.removed.discard(name)  # deleted, then put again: still in self.names
            else:
                self.added.add(name)

    def remove(self, name):
        with self.lock:
            if name in self.added:
                self.added.discard(name)
            else:
                self.removed.add(name)

    def sorted_names(self):
        with self.lock:
            if self.removed:
                self.names = [n for n in self.names if n not in self.removed]
                self.removed.clear()
            if self.added:
                merged = self.names + sorted(self.added)
                merged.sort()  # two sorted runs: Timsort merges them in linear time
                self.names = merged
                self.added.clear()
            return self.names


_MUTATE = threading.RLock()  # a mutation and its index update happen together


def _index(store, build=False):
    idx = store.__dict__.get("_sorted_index")
    if idx is None and build:
        with _MUTATE:
            idx = store.__dict__.get("_sorted_index") or KeyIndex(dict.keys(store))
            store.__dict__["_sorted_index"] = idx
    return idx


def _tracking(method, adds):
    def wrapper(self, key, *args):
        with _MUTATE:
            existed = dict.__contains__(self, key)
            result = method(self, key, *args)
            idx = _index(self)
            if idx is not None and existed != dict.__contains__(self, key):
                (idx.add if adds else idx.remove)(key)
            return result
    return wrapper


def _forgetting(method):
    """Mutators moto's S3 does not use on key stores: drop the index, rebuilt at the next list."""
    def wrapper(self, *args, **kwargs):
        with _MUTATE:
            self.__dict__.pop("_sorted_index", None)
            return method(self, *args, **kwargs)
    return wrapper


_VersionedKeyStore.__setitem__ = _tracking(_VersionedKeyStore.__setitem__, adds=True)
_VersionedKeyStore.setlist = _tracking(_VersionedKeyStore.setlist, adds=True)
_VersionedKeyStore.pop = _tracking(_VersionedKeyStore.pop, adds=False)
_VersionedKeyStore.__delitem__ = _tracking(dict.__delitem__, adds=False)
for _name in ("clear", "update", "popitem", "setdefault"):
    setattr(_VersionedKeyStore, _name, _forgetting(getattr(dict, _name)))


def _past(names, folder, i):
    """The first index from i whose name does not start with folder (they are contiguous)."""
    last = ord(folder[-1])
    if last < 0x10FFFF:
        return bisect.bisect_left(names, folder[:-1] + chr(last + 1), i)
    while i < len(names) and names[i].startswith(folder):
        i += 1
    return i


def list_objects_v2(self, bucket, prefix, delimiter, continuation_token, start_after, max_keys):
    if isinstance(bucket, FakeTableStorageBucket):
        raise MethodNotAllowed()
    limit = start_after or None
    if continuation_token:
        limit = self._pagination_tokens.get(continuation_token)
        if limit is None:
            raise InvalidContinuationToken()
    prefix = prefix or ""
    names = _index(bucket.keys, build=True).sorted_names()
    i = bisect.bisect_left(names, prefix)
    if limit is not None:
        i = max(i, bisect.bisect_right(names, limit))
    items = []
    while i < len(names) and len(items) <= max_keys:  # one more than a page: is it truncated?
        name = names[i]
        if not name.startswith(prefix):
            break
        cut = name.find(delimiter, len(prefix)) if delimiter else -1
        if cut >= 0:
            folder = name[: cut + len(delimiter)]
            if limit is None or folder > limit:
                items.append(folder)
            i = _past(names, folder, i)
            continue
        key = bucket.keys.get(name)
        if key is not None and not isinstance(key, FakeDeleteMarker):
            items.append(key)
        i += 1
    return self._truncate_result(items, max_keys)


S3Backend.list_objects_v2 = list_objects_v2


# moto 5.2 renders every response through a generic shape serializer that, per key, parses the
# timestamp string back with dateutil and walks the shape: 0.3 s for a page of 1,000 keys, more
# than the listing itself. This writes the same XML (elements, order and escaping as moto's, URL
# encoding with encoding-type=url) directly.
def _xml_list_v2(self):
    q = self.querystring
    token = q.get("continuation-token", [None])[0]
    if token == "":
        raise InvalidContinuationToken()
    prefix = self._get_querystring(self.request, self.uri).get("prefix", [None])[0]
    if isinstance(prefix, bytes):
        prefix = prefix.decode("utf-8")
    delimiter = q.get("delimiter", [None])[0]
    owner = q.get("fetch-owner", [False])[0]
    max_keys = int(q.get("max-keys", [moto_settings.get_s3_default_max_keys()])[0])
    start_after = q.get("start-after", [None])[0]
    encoding = q.get("encoding-type", [None])[0]
    bucket = self.backend.get_bucket(self.bucket_name)
    items, truncated, next_token = self.backend.list_objects_v2(bucket, prefix, delimiter, token, start_after, max_keys)
    keys, folders = self._split_truncated_keys(items)
    url = (lambda v: urllib.parse.quote(v)) if encoding == "url" else (lambda v: v)
    out = ['<?xml version="1.0" encoding="utf-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">',
           f"<IsTruncated>{str(truncated).lower()}</IsTruncated>"]
    for k in keys:
        out.append(f"<Contents><Key>{escape(k.safe_name(encoding))}</Key><LastModified>{k.last_modified_ISO8601}</LastModified>"
                   f"<ETag>{escape(k.etag)}</ETag>"
                   + (f"<ChecksumAlgorithm>{escape(k.checksum_algorithm)}</ChecksumAlgorithm>" if k.checksum_algorithm else "")
                   + f"<Size>{k.size}</Size><StorageClass>{escape(k.storage_class)}</StorageClass>"
                   + (f"<Owner><DisplayName>webfile</DisplayName><ID>{OWNER_ID}</ID></Owner>" if owner else "") + "</Contents>")
    out.append(f"<Name>{escape(bucket.name)}</Name>" + (f"<Prefix>{escape(url(prefix))}</Prefix>" if prefix else "<Prefix/>"))
    if delimiter:
        out.append(f"<Delimiter>{escape(delimiter)}</Delimiter>")
    out.append(f"<MaxKeys>{max_keys}</MaxKeys>")
    if delimiter:
        out.extend(f"<CommonPrefixes><Prefix>{escape(url(f))}</Prefix></CommonPrefixes>" for f in folders)
    if encoding:
        out.append(f"<EncodingType>{escape(encoding)}</EncodingType>")
    out.append(f"<KeyCount>{len(keys) + len(folders)}</KeyCount>")
    if next_token:
        out.append(f"<NextContinuationToken>{next_token}</NextContinuationToken>")
    if not token and start_after:
        out.append(f"<StartAfter>{escape(start_after)}</StartAfter>")
    out.append("</ListBucketResult>")
    self.data["Action"] = "ListObjectsV2"
    return 200, {"Content-Type": "application/xml"}, "".join(out)


S3Response.list_objects_v2 = _xml_list_v2
# --- end of the listing patch -------------------------------------------------------------------

OWNER_ID = "75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a"  # moto's
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
