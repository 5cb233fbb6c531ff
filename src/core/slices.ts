/**
 * Long synchronous work (indexing or checking tens of thousands of items) written once as a
 * generator that `yield`s between slices, and run either in one go or in slices with the event
 * loop served between them, so one refresh never stalls replies to other people.
 */
export type SlicedWork<T> = Generator<void, T, void>;

/** Runs the work to its end now. */
export function runToEnd<T>(work: SlicedWork<T>): T {
  for (let step = work.next(); ; step = work.next()) if (step.done) return step.value;
}

/** Runs the work, yielding to the event loop (setImmediate) at each of its slice boundaries. */
export async function runInSlices<T>(work: SlicedWork<T>): Promise<T> {
  for (let step = work.next(); ; step = work.next()) {
    if (step.done) return step.value;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
