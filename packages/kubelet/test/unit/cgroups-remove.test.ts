import { mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CgroupManager } from '../../src/cm/cgroups.js';

describe('CgroupManager.removeByName', () => {
  let root = '';
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('removes the tree from the limit controllers and from the systemd and cgroup2 hierarchies runc also uses', async () => {
    // A fake mount root: directories stand in for cgroupfs (rmdir of an empty tree works the same).
    root = mkdtempSync(join(tmpdir(), 'kts-cg-'));
    const pod = '/kts-x/kubepods/besteffort/pod123';
    for (const h of ['memory', 'cpu', 'systemd', 'unified']) {
      mkdirSync(join(root, h, pod, 'ctr1'), { recursive: true });
      // Marks a v1 controller as mounted for CgroupManager (it checks for `tasks`).
      if (h === 'memory' || h === 'cpu') writeFileSync(join(root, h, 'tasks'), '');
    }
    await new CgroupManager(root, '/kts-x').removeByName('/kts-x');
    for (const h of ['memory', 'cpu', 'systemd', 'unified']) expect(existsSync(join(root, h, 'kts-x')), h).toBe(false);
  });
});
