import { CreateDocuments1732780800000 } from './1732780800000-create-documents.js';
import { CreateIndexChanges1764633600000 } from './1764633600000-create-index-changes.js';
import { CreateStagedChunks1767225600000 } from './1767225600000-create-staged-chunks.js';
import { CreateTaskHistory1769904000000 } from './1769904000000-create-task-history.js';
import { CreateSchedules1772582400000 } from './1772582400000-create-schedules.js';
import { CreateTokensAndDevices1772668800000 } from './1772668800000-create-tokens-and-devices.js';
import { CreateReports1772755200000 } from './1772755200000-create-reports.js';
import { SplitHistorySearch1772841600000 } from './1772841600000-split-history-search.js';

/** Every migration, oldest first; both apps run them at start-up (`migrationsRun`), tests too. */
export const MIGRATIONS = [
  CreateDocuments1732780800000,
  CreateIndexChanges1764633600000,
  CreateStagedChunks1767225600000,
  CreateTaskHistory1769904000000,
  CreateSchedules1772582400000,
  CreateTokensAndDevices1772668800000,
  CreateReports1772755200000,
  SplitHistorySearch1772841600000,
];

export { HISTORY_SEARCH_EXPRESSION, HISTORY_UNFINISHED } from './1769904000000-create-task-history.js';
