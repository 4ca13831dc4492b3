import { type BentoInfo, bentoInfoSchema } from '../shared/schemas.js';
import { type EntryKind, EntryStore, type StoredEntry } from './store.js';

export const bentoKind: EntryKind<BentoInfo> = {
  folder: 'bentos',
  noun: 'bento',
  infoFile: 'bento.yaml',
  schema: bentoInfoSchema,
};

export type BentoStore = EntryStore<BentoInfo>;
export type StoredBento = StoredEntry<BentoInfo>;

export function openBentoStore(home: string): BentoStore {
  return new EntryStore(home, bentoKind);
}
