// What every deployed state shares unchanged: better-auth's tables other than "user", and their
// relations (Drizzle matches relations to tables by table name, so they fit each state's "user").
export {
  session,
  account,
  verification,
  organization,
  member,
  invitation,
  userRelations,
  sessionRelations,
  accountRelations,
  organizationRelations,
  memberRelations,
  invitationRelations,
} from '../auth.ts';
