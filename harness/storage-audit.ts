// make storage-audit: the command line of lib/storage-audit.ts (usage: README, "The object store").
import { main } from '../lib/storage-audit.ts';

// Node 20 is this project's platform; the SDK's notice about its 2027 releases is not the user's problem.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.exit(await main(process.argv.slice(2), process.env));
