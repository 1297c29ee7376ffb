// better-auth's Drizzle adapter (app/schema, one schema per deployed state) through every state of the pack (auth-walk.ts).
import { describeAuthWalk } from './auth-walk.ts';

describeAuthWalk('drizzle');
