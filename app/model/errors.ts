// What the model layer refuses, as errors an API can map to a status and show as one line. The
// database would refuse some of these too (foreign key, same-organization trigger), but with a
// constraint name and a stack trace; these say what was wrong in the caller's terms.

export class ModelError extends Error {
  override name = 'ModelError';
}

/** No storage row with this id: the upload never happened or was deleted. */
export class ImageNotFoundError extends ModelError {
  override name = 'ImageNotFoundError';
  constructor(readonly imageId: string) {
    super(`image ${imageId} does not exist`);
  }
}

/** A post may show only an upload of its own organization (a personal upload is nobody's). */
export class ImageOrganizationError extends ModelError {
  override name = 'ImageOrganizationError';
  constructor(
    readonly imageId: string,
    readonly organizationId: string,
  ) {
    // the other organization's id stays out of the message: the caller is not one of its members
    super(`image ${imageId} is not an upload of organization ${organizationId}`);
  }
}

/** An avatar must be a file the user may see: their own personal upload, or their organization's. */
export class ImageAccessError extends ModelError {
  override name = 'ImageAccessError';
  constructor(
    readonly imageId: string,
    readonly userId: string,
  ) {
    super(`image ${imageId} is not visible to user ${userId}`);
  }
}

/** No such post in this organization (another organization's post reads as missing, too). */
export class PostNotFoundError extends ModelError {
  override name = 'PostNotFoundError';
  constructor(
    readonly postId: string,
    readonly organizationId: string,
  ) {
    super(`post ${postId} does not exist in organization ${organizationId}`);
  }
}

export class UserNotFoundError extends ModelError {
  override name = 'UserNotFoundError';
  constructor(readonly userId: string) {
    super(`user ${userId} does not exist`);
  }
}

/** Bad input from the client: a malformed cursor, a page size out of range. */
export class InvalidInputError extends ModelError {
  override name = 'InvalidInputError';
}
