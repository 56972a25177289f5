// Search attributes the workflows set; the dev server registers them from config/search-attributes.json.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const RESOURCES_KEY = defineSearchAttributeKey('ClockodoResources', SearchAttributeType.KEYWORD_LIST);
export const SYNC_MODE_KEY = defineSearchAttributeKey('ClockodoSyncMode', SearchAttributeType.KEYWORD);
export const ROWS_SYNCED_KEY = defineSearchAttributeKey('ClockodoRowsSynced', SearchAttributeType.INT);
