// Loaded with `node --import` before the built main bundle: every import of
// 'electron' (the app's own and electron-store's) resolves to the recording fake.
import { register } from 'node:module';

register('./hooks.mjs', import.meta.url);
