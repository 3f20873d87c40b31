// Every migration, oldest first. `npm run migration:create -- <Name>` adds new ones here.
import { Platform1795320000000 } from './1795320000000-Platform.js';
import { LlmCalls1795330000000 } from './1795330000000-LlmCalls.js';
import { Accounts1795350000000 } from './1795350000000-Accounts.js';
import { Uploads1795380000000 } from './1795380000000-Uploads.js';
import { FeedMe1795390000000 } from './1795390000000-FeedMe.js';
import { Conversations1795400000000 } from './1795400000000-Conversations.js';

export const MIGRATIONS = [
  Platform1795320000000,
  LlmCalls1795330000000,
  Accounts1795350000000,
  Uploads1795380000000,
  FeedMe1795390000000,
  Conversations1795400000000,
];
