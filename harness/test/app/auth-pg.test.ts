// better-auth's built-in adapter (a pg Pool) through every state of the pack (auth-walk.ts).
import { describeAuthWalk } from './auth-walk.ts';

describeAuthWalk('pg');
