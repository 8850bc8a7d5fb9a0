// What the window shows besides the list: the open dialog and the selected row.
import { createContext, useContext } from 'react';
import type { ForwardInput } from '../../shared/model';

export type DialogState =
  | { type: 'forward'; name?: string; draft?: Partial<ForwardInput> }
  | { type: 'presets' }
  | { type: 'hosts'; edit?: string | null }
  | { type: 'import' }
  | { type: 'export' }
  | { type: 'settings' }
  | { type: 'confirmRemove'; name: string }
  | null;

export interface Ui {
  open(d: DialogState): void;
  select(name: string | null): void;
}

export const UiContext = createContext<Ui>({ open: () => undefined, select: () => undefined });
export const useUi = () => useContext(UiContext);
