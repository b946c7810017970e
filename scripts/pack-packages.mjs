#!/usr/bin/env node
// A dry run of a release: packs every published package with `pnpm pack` (which, like
// `changeset publish`, replaces `workspace:` ranges with real ones) and checks each tarball's
// manifest and file list as npm would publish them. The examples and the README check install
// these tarballs, so what they prove is what users get.
//
//   node scripts/pack-packages.mjs [destination]   (packages must be built: `pnpm build`)
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The published packages, by short name, and their folders. */
export const PUBLISHED_PACKAGES = { core: 'packages/core', react: 'packages/react', server: 'packages/server' };

const DEPENDENCY_FIELDS = ['dependencies', 'peerDependencies', 'optionalDependencies', 'devDependencies'];
const ALWAYS_SHIPPED = new Set(['package.json', 'README.md', 'LICENSE']);

/**
 * Packs every published package into `destination` and checks the tarballs.
 * @returns the tarball paths by short name (`{ core, react, server }`)
 * @throws an Error listing every problem found
 */
export function packPackages(destination = mkdtempSync(join(tmpdir(), 'sandproc-pack-'))) {
  mkdirSync(destination, { recursive: true });
  const tarballs = {};
  const problems = [];
  for (const [shortName, folder] of Object.entries(PUBLISHED_PACKAGES)) {
    const output = execFileSync('pnpm', ['pack', '--json', '--pack-destination', destination], {
      cwd: join(repositoryRoot, folder),
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const packed = JSON.parse(output.slice(output.indexOf('{')));
    tarballs[shortName] = packed.filename;
    problems.push(...checkTarball(packed.filename).map((problem) => `${packed.name}: ${problem}`));
  }
  if (problems.length > 0) throw new Error(`the packed packages are not publishable:\n- ${problems.join('\n- ')}`);
  return tarballs;
}

/** The problems of one tarball: its manifest, and files missing, unused or out of place. */
export function checkTarball(tarball) {
  const problems = [];
  const unpacked = mkdtempSync(join(tmpdir(), 'sandproc-tarball-'));
  try {
    execFileSync('tar', ['-xzf', tarball, '-C', unpacked]);
    const root = join(unpacked, 'package');
    const files = listFiles(root);
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

    for (const field of DEPENDENCY_FIELDS) {
      for (const [name, range] of Object.entries(manifest[field] ?? {})) {
        if (String(range).startsWith('workspace:')) problems.push(`${field}.${name} is still '${range}'`);
      }
    }
    if (manifest.private) problems.push('is private');
    if (manifest.license !== 'MIT') problems.push(`license is '${manifest.license}', expected 'MIT'`);
    if (!manifest.engines?.node) problems.push('has no engines.node');
    for (const required of ALWAYS_SHIPPED) if (!files.includes(required)) problems.push(`ships no ${required}`);

    const entryPoints = referencedFiles(manifest);
    for (const file of entryPoints)
      if (!files.includes(file)) problems.push(`refers to ${file}, which it does not ship`);
    const used = reachableFiles(
      root,
      [...entryPoints].filter((file) => files.includes(file)),
    );
    for (const file of files) {
      if (!ALWAYS_SHIPPED.has(file) && !used.has(file)) problems.push(`ships ${file}, which no entry point uses`);
    }
  } finally {
    rmSync(unpacked, { recursive: true, force: true });
  }
  return problems;
}

/** Every file the manifest points at: main, module, types, bin, and the exports map's leaves. */
function referencedFiles(manifest) {
  const found = new Set();
  const visit = (value) => {
    if (typeof value === 'string') found.add(posix.normalize(value));
    else if (value && typeof value === 'object') Object.values(value).forEach(visit);
  };
  visit([manifest.main, manifest.module, manifest.types, manifest.bin, manifest.exports, manifest.typesVersions]);
  found.delete('package.json');
  found.delete('*');
  return found;
}

/** The entry points and what they load: relative imports and requires, and source maps. */
function reachableFiles(root, entryPoints) {
  const reached = new Set();
  const pending = [...entryPoints];
  while (pending.length > 0) {
    const file = pending.pop();
    if (reached.has(file)) continue;
    reached.add(file);
    const text = readFileSync(join(root, file), 'utf8');
    const references = [
      ...text.matchAll(/(?:from|import|require\()\s*['"](\.{1,2}\/[^'"]+)['"]/g),
      ...text.matchAll(/\/\/# sourceMappingURL=([^\s]+)/g),
    ];
    for (const [, reference] of references) {
      const target = posix.normalize(posix.join(posix.dirname(file), reference));
      // In a declaration file, `./x.js` means `./x.d.ts` (and `./x.cjs`, `./x.d.cts`).
      const candidates = /\.d\.c?ts$/.test(file) ? [target.replace(/\.(c|m)?js$/, '.d.$1ts'), target] : [target];
      const found = candidates.find((candidate) => existsSync(join(root, candidate)));
      if (found) pending.push(found);
    }
  }
  return reached;
}

function listFiles(folder, prefix = '') {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? listFiles(join(folder, entry.name), `${prefix}${entry.name}/`) : [`${prefix}${entry.name}`],
  );
}

/**
 * `changeset version` in a scratch copy of the workspace's manifests and changesets: the fixed
 * group moves together to one version, and each published package gets a CHANGELOG.md from the
 * changesets. Nothing in the repository is changed.
 * @returns the version the next release would have
 * @throws an Error when the plan breaks one of these rules
 */
export function checkChangesetsRelease() {
  const scratch = mkdtempSync(join(tmpdir(), 'sandproc-release-'));
  try {
    for (const file of ['package.json', 'pnpm-workspace.yaml']) cpSync(join(repositoryRoot, file), join(scratch, file));
    cpSync(join(repositoryRoot, '.changeset'), join(scratch, '.changeset'), { recursive: true });
    for (const workspaceGlob of ['packages', 'apps']) {
      for (const entry of readdirSync(join(repositoryRoot, workspaceGlob), { withFileTypes: true })) {
        const manifest = join(workspaceGlob, entry.name, 'package.json');
        if (!entry.isDirectory() || !existsSync(join(repositoryRoot, manifest))) continue;
        mkdirSync(join(scratch, workspaceGlob, entry.name), { recursive: true });
        cpSync(join(repositoryRoot, manifest), join(scratch, manifest));
      }
    }
    execFileSync('git', ['init', '--quiet'], { cwd: scratch });
    const changesetBin = join(repositoryRoot, 'node_modules', '@changesets', 'cli', 'bin.js');
    execFileSync(process.execPath, [changesetBin, 'version'], { cwd: scratch, stdio: ['ignore', 'ignore', 'inherit'] });
    const versions = new Set();
    const problems = [];
    for (const folder of Object.values(PUBLISHED_PACKAGES)) {
      const before = JSON.parse(readFileSync(join(repositoryRoot, folder, 'package.json'), 'utf8'));
      const after = JSON.parse(readFileSync(join(scratch, folder, 'package.json'), 'utf8'));
      versions.add(after.version);
      if (after.version.split('.')[0] !== before.version.split('.')[0]) {
        problems.push(`${after.name} would jump from ${before.version} to ${after.version} (a major release)`);
      }
      if (!existsSync(join(scratch, folder, 'CHANGELOG.md'))) problems.push(`${after.name} gets no CHANGELOG.md`);
    }
    if (versions.size !== 1) problems.push(`the fixed group would split across versions ${[...versions].join(', ')}`);
    if (problems.length > 0) throw new Error(`changeset version:\n- ${problems.join('\n- ')}`);
    return [...versions][0];
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const tarballs = packPackages(process.argv[2] ? resolve(process.argv[2]) : undefined);
    for (const tarball of Object.values(tarballs)) console.log(tarball);
    const nextVersion = checkChangesetsRelease();
    console.log(`release: changeset version moves the fixed group to ${nextVersion}, with CHANGELOGs`);
    console.log('pack: every package is publishable (no workspace: ranges, LICENSE, engines, only used files)');
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}
