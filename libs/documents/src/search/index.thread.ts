import { IndexOwner, type IndexAnswer, type IndexOp } from './index-ops.js';

/** The search thread: it owns the vector index, so that scanning it never holds the API's event loop. */
const owner = new IndexOwner();

export default function run(request: IndexOp): IndexAnswer {
  return owner.apply(request);
}
