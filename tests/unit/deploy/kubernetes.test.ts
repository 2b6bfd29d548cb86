import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// No cluster and no Docker engine here: the manifests are parsed with the YAML parser already in
// node_modules (it comes with @astrojs/check) and checked against the server they deploy.
import { parseDocument } from 'yaml';
import { parseConfig } from '../../../server/config.ts';
import { LIFETIME_MS } from '../../../server/limits.ts';

const root = new URL('../../../', import.meta.url).pathname;
const folder = join(root, 'deploy/kubernetes');

type Manifest = { apiVersion: string; kind: string; metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> }; spec: Record<string, any> };

function load(file: string): Manifest {
  const document = parseDocument(readFileSync(join(folder, file), 'utf8'), { prettyErrors: true, uniqueKeys: true });
  expect(document.errors.map((error) => `${file}: ${error.message}`)).toEqual([]);
  return document.toJS() as Manifest;
}

const manifests = readdirSync(folder)
  .filter((file) => file.endsWith('.yaml') && file !== 'kustomization.yaml')
  .map((file) => ({ file, manifest: load(file) }));
const byKind = (kind: string): Manifest => {
  const found = manifests.find((entry) => entry.manifest.kind === kind);
  if (found === undefined) throw new Error(`no ${kind} in deploy/kubernetes`);
  return found.manifest;
};

describe('deploy/kubernetes', () => {
  const deployment = byKind('Deployment');
  const pod = deployment.spec.template.spec;
  const container = pod.containers[0];
  const portNamed = (name: string) => container.ports.find((port: { name: string }) => port.name === name)?.containerPort;

  it('lists every manifest in its kustomization, each parsing as one well-formed object', () => {
    const kustomization = parseDocument(readFileSync(join(folder, 'kustomization.yaml'), 'utf8')).toJS() as { resources: string[] };
    expect(kustomization.resources.sort()).toEqual(manifests.map((entry) => entry.file).sort());
    for (const { manifest } of manifests) {
      expect(manifest.apiVersion).toMatch(/^[a-z0-9.]*\/?v[0-9]+(beta[0-9]+)?$/);
      expect(manifest.metadata.name).toBe('socket-playground');
    }
    expect(manifests.map((entry) => entry.manifest.kind).sort()).toEqual(['Deployment', 'HorizontalPodAutoscaler', 'Ingress', 'PodDisruptionBudget', 'Service']);
  });

  it('runs the server with options it accepts: listening beyond loopback, with the public origin and metrics port', () => {
    const parsed = parseConfig(container.args, {});
    if (!parsed.ok) throw new Error(parsed.message);
    expect(parsed.config.host).toBe('0.0.0.0');
    expect(parsed.config.origins).toHaveLength(1);
    expect(portNamed('http')).toBe(parsed.config.port);
    expect(portNamed('metrics')).toBe(parsed.config.metricsPort);
    expect(parsed.config.workers).toBe(1);
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(container.securityContext).toMatchObject({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
  });

  it('probes readiness on /readyz and liveness on /healthz, on the site port', () => {
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(container.readinessProbe.periodSeconds).toBeLessThanOrEqual(10);
  });

  it('selects the pods by their labels everywhere, and the Service and Ingress reach the site port', () => {
    const labels = deployment.spec.template.metadata.labels;
    expect(deployment.spec.selector.matchLabels).toEqual(labels);
    const service = byKind('Service');
    expect(service.spec.selector).toEqual(labels);
    expect(service.spec.sessionAffinity ?? 'None').toBe('None');
    expect(service.spec.ports.map((port: { targetPort: string }) => port.targetPort).sort()).toEqual(['http', 'metrics']);
    expect(byKind('PodDisruptionBudget').spec.selector.matchLabels).toEqual(labels);
    const backend = byKind('Ingress').spec.rules[0].http.paths[0].backend.service;
    expect(backend.name).toBe(service.metadata.name);
    expect(service.spec.ports.find((port: { name: string }) => port.name === backend.port.name)?.targetPort).toBe('http');
    expect(byKind('HorizontalPodAutoscaler').spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: deployment.metadata.name });
  });

  it('keeps a WebSocket open through the Ingress for longer than a session may live', () => {
    const ingress = byKind('Ingress');
    const origin = new URL(container.args[container.args.indexOf('--origin') + 1] as string);
    expect(ingress.spec.rules[0].host).toBe(origin.host);
    for (const key of ['proxy-read-timeout', 'proxy-send-timeout']) {
      expect(Number(ingress.metadata.annotations?.[`nginx.ingress.kubernetes.io/${key}`])).toBeGreaterThanOrEqual(LIFETIME_MS / 1000);
    }
  });
});

describe('Dockerfile', () => {
  const lines = readFileSync(join(root, 'Dockerfile'), 'utf8')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('#'));
  const stages = lines.filter((line) => line.startsWith('FROM '));
  const runtime = lines.slice(lines.lastIndexOf(stages.at(-1) as string));
  const instruction = (name: string) => runtime.filter((line) => line.startsWith(`${name} `)).map((line) => line.slice(name.length + 1));

  it('builds in one stage and runs in another, as an unprivileged user', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(instruction('USER')).toEqual(['node']);
  });

  it('copies into the image everything the server imports, from the build stage', () => {
    const copied = instruction('COPY').map((line) => line.split(/\s+/).at(-2) as string);
    // node_modules and dist are made by the build stage (npm ci, npm run build); the rest is source.
    const made = new Set(['/app/node_modules', '/app/dist']);
    for (const path of copied.filter((p) => !made.has(p))) expect(existsSync(join(root, path.replace(/^\/app\//, '')))).toBe(true);
    const build = lines.slice(0, lines.lastIndexOf(stages.at(-1) as string));
    expect(build).toContain('RUN npm ci --no-audit --no-fund');
    expect(build).toContain('RUN npx astro build');
    expect(copied).toEqual(expect.arrayContaining(['/app/server', '/app/src/protocol', '/app/node_modules', '/app/dist']));
  });

  it('installs tcpdump only when asked, and starts the server with options it accepts', () => {
    expect(instruction('ARG')).toContain('WITH_TCPDUMP=false');
    expect(instruction('RUN').join('\n')).toMatch(/if \[ "\$WITH_TCPDUMP" = "true" \]; then .*apt-get install [^;]*tcpdump/);
    expect(JSON.parse(instruction('ENTRYPOINT')[0] as string)).toEqual(['node', 'server/main.ts']);
    const parsed = parseConfig(JSON.parse(instruction('CMD')[0] as string), {});
    expect(parsed).toMatchObject({ ok: true, config: { host: '0.0.0.0', port: 4321, metricsPort: 9464 } });
  });
});
