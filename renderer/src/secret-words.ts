// Where a typed password is kept, said truthfully: the desktop app uses the
// system's secret store; `burrow web` keeps it in its own memory until it stops
// (never in the profile file).
import { desktop } from './api';

export const SECRET_KEPT = desktop ? 'Kept in the system secret store' : 'Kept in the memory of burrow web until it stops, never written to disk';
