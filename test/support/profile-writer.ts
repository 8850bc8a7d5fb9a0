// Adds COUNT hosts named PREFIX-i to the profile store in DIR, one write each
// (a second process for the concurrent-writers test).
import { parseHost } from '../../shared/model';
import { ProfileRepository } from '../../electron/profiles/repository';
import { NoSecretStore } from '../../electron/profiles/secrets';

const [dir, prefix, count] = process.argv.slice(2);
const repo = await ProfileRepository.open({ dir, secrets: new NoSecretStore() });
for (let i = 0; i < Number(count); i++) await repo.addHost(parseHost({ name: `${prefix}-${i}`, hostname: `${prefix}${i}.example.com` }));
