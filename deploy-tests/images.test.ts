import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { parseDockerfile } from './support/dockerfile';
import { kustomize } from './support/kustomize';
import { overlays, rendered } from './support/overlays';
import { workloads } from './support/pods';
import { fromRoot, readText } from './support/repo';

interface ImageEntry {
  name: string;
  newName?: string;
  newTag?: string;
}

/** The tag convention of docs/operations.md: the release's semantic version, no `v`, never `latest`. */
const releaseTag = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;
const version = (JSON.parse(readText(fromRoot('package.json'))) as { version: string }).version;
const targets = parseDockerfile().stages.map((s) => s.name).filter((name) => !['build', 'runtime'].includes(name));
const imagesOf = (overlay: string): ImageEntry[] =>
  (parse(readText(join(overlay, 'kustomization.yaml'))) as { images?: ImageEntry[] }).images ?? [];
const runningImages = (objects: ReturnType<typeof rendered>) =>
  workloads(objects).flatMap((w) => w.pod.containers.map((c) => ({ workload: w.manifest.metadata.name, image: c.image })));

/** A copy of k8s/, so an overlay can be edited and rendered with its relative bases intact. */
function withCopyOfK8s<T>(use: (k8s: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'k8s-'));
  try {
    cpSync(fromRoot('k8s'), join(dir, 'k8s'), { recursive: true });
    return use(join(dir, 'k8s'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** What `kustomize edit set image NAME=NEWNAME:TAG` writes into the images: block. */
function setImage(overlay: string, argument: string) {
  const [, name, newName, newTag] = /^([^=]+)=(.+):([^:]+)$/.exec(argument)!;
  const file = join(overlay, 'kustomization.yaml');
  const kustomization = parse(readText(file)) as { images: ImageEntry[] };
  const entry = { name, ...(newName === name ? {} : { newName }), newTag };
  kustomization.images = [...kustomization.images.filter((i) => i.name !== name), entry];
  writeFileSync(file, stringify(kustomization));
}

describe.each(Object.entries(overlays))('the images of the %s overlay', (_, dir) => {
  it('are named in its images: block, one entry per Dockerfile target, all with one release tag', () => {
    const images = imagesOf(dir);
    expect(images.map((i) => i.name).sort()).toEqual(targets.map((t) => `chatbot/${t}`).sort());
    const tags = new Set(images.map((i) => i.newTag));
    expect([...tags]).toEqual([expect.stringMatching(releaseTag)]);
  });

  it('are what every container of ours runs once rendered', () => {
    const tags = new Map(imagesOf(dir).map((i) => [i.name, `${i.newName ?? i.name}:${i.newTag}`]));
    const ours = runningImages(rendered(dir)).filter((x) => x.image.startsWith('chatbot/'));
    expect(new Set(ours.map((x) => x.image))).toEqual(new Set(tags.values()));
  });
});

describe('one release version everywhere', () => {
  it('tags the overlays, the Dockerfile label and the compose images with package.json version', () => {
    expect(version).toMatch(releaseTag);
    for (const dir of Object.values(overlays)) for (const image of imagesOf(dir)) expect(`${image.name}:${image.newTag}`).toBe(`${image.name}:${version}`);
    expect(/^ARG VERSION=(\S+)$/m.exec(readText(fromRoot('Dockerfile')))?.[1]).toBe(version);
    const composeDefaults = [...readText(fromRoot('docker-compose.yml')).matchAll(/\$\{CHATBOT_VERSION:-([^}]+)\}/g)].map((m) => m[1]);
    expect(composeDefaults.length).toBe(targets.length);
    expect(new Set(composeDefaults)).toEqual(new Set([version]));
  });
});

describe('kustomize edit set image, as docs/operations.md says', () => {
  const documented = [...readText(fromRoot('docs/operations.md')).matchAll(/cd k8s\/overlays\/(\w+) && kustomize edit set image ([^\s`]+)/g)];

  it('is documented for the release steps', () => {
    expect(documented.length).toBeGreaterThan(0);
  });

  it.each(documented.map((m) => [m[1], m[2]]))('in %s, %s changes that image and no other', (overlay, argument) => {
    const [, name, newImage] = /^([^=]+)=(.+)$/.exec(argument)!;
    withCopyOfK8s((k8s) => {
      const dir = join(k8s, 'overlays', overlay);
      const before = runningImages(kustomize(dir));
      setImage(dir, argument);
      const after = runningImages(kustomize(dir));
      const changed = after.filter((x, i) => x.image !== before[i].image);
      expect(changed.length).toBeGreaterThan(0);
      for (const x of changed) expect(x.image).toBe(newImage);
      for (const x of before.filter((b) => !b.image.startsWith(`${name}:`))) expect(after).toContainEqual(x);
    });
  });
});
