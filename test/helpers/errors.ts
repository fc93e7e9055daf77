import { RagkitError } from "../../src/errors.js";

/** The RagkitError a promise rejects with (any other outcome fails the test). */
export async function failure(promise: Promise<unknown>): Promise<RagkitError> {
  try {
    await promise;
  } catch (error) {
    if (RagkitError.isInstance(error)) return error;
    throw error;
  }
  throw new Error("expected a RagkitError");
}
