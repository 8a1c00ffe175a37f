import { CreateDocuments1732780800000 } from './1732780800000-create-documents.js';

/** Every migration, oldest first; both apps run them at start-up (`migrationsRun`), tests too. */
export const MIGRATIONS = [CreateDocuments1732780800000];
