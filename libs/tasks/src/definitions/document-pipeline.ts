import { chain, si, type Canvas } from '../workflows/canvas.js';
import { DownloadDocument } from './download-document.task.js';
import { ExtractDocument } from './extract-document.task.js';
import { VectorizeDocument } from './vectorize-document.task.js';

/**
 * A document's whole pipeline, as one chain: from its stored file (extract, vectorize), or from its URL when
 * it has no file yet (download first). The API queues it on intake; `tasks.sync_data` again for a stranded one.
 */
export function documentPipeline(document: {
  id: string;
  storedName: string | null;
  sourceUrl: string | null;
}): Canvas<unknown> {
  const document_id = document.id;
  if (!document.storedName && document.sourceUrl) {
    return chain(
      si(DownloadDocument, { document_id, url: document.sourceUrl }),
      si(ExtractDocument, { document_id }),
      si(VectorizeDocument, { document_id }),
    );
  }
  return chain(si(ExtractDocument, { document_id }), si(VectorizeDocument, { document_id }));
}
