/**
 * Manifests that run `bentoci canary judge-server` in the cluster: the thresholds file as a
 * ConfigMap (the same file the PR gate reads), a Deployment of two stateless replicas, and a Service
 * the AnalysisTemplate / Canary webhooks call. The image needs Node and bentoci; the default runs the
 * published package with npx, so a cluster without npm access passes an image of its own.
 */
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IService } from 'kubernetes-models/v1/Service';
import YAML from 'yaml';
import { BENTOCI_VERSION } from '../version.js';
import { JUDGE_PATHS } from './judge-protocol.js';
import type { Thresholds } from './thresholds.js';

export const JUDGE_NAME = 'bentoci-judge';
export const JUDGE_PORT = 8080;
export const DEFAULT_JUDGE_IMAGE = 'node:22-bookworm-slim';

export interface JudgeManifestOptions {
  namespace?: string;
  prometheusAddress: string;
  /** An image with Node (and bentoci, when `command` is given). */
  image?: string;
  /** Command that starts bentoci; default npx of this bentoci version. */
  command?: string[];
}

/** Where the rollout analysis reaches the judge: its Service's cluster DNS name. */
export function judgeUrlOf(namespace?: string): string {
  return `http://${JUDGE_NAME}${namespace ? `.${namespace}.svc` : ''}:${JUDGE_PORT}`;
}

export function judgeManifests(t: Thresholds, options: JudgeManifestOptions): object[] {
  const labels = { 'app.kubernetes.io/name': JUDGE_NAME, 'app.kubernetes.io/managed-by': 'bentoci' };
  const meta = (name: string) => ({
    name,
    ...(options.namespace ? { namespace: options.namespace } : {}),
    labels,
  });
  const config: IConfigMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: meta(`${JUDGE_NAME}-thresholds`),
    data: { 'thresholds.yaml': YAML.stringify(t, { lineWidth: 0 }) },
  };
  const command = options.command ?? ['npx', '--yes', `bentoci@${BENTOCI_VERSION}`];
  const deployment: IDeployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta(JUDGE_NAME),
    spec: {
      replicas: 2,
      selector: { matchLabels: { 'app.kubernetes.io/name': JUDGE_NAME } },
      template: {
        metadata: { labels },
        spec: {
          automountServiceAccountToken: false,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: 1000,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          containers: [
            {
              name: 'judge',
              image: options.image ?? DEFAULT_JUDGE_IMAGE,
              command: [
                ...command,
                'canary',
                'judge-server',
                '--prometheus',
                options.prometheusAddress,
                '--thresholds',
                '/etc/bentoci/thresholds.yaml',
                '--port',
                String(JUDGE_PORT),
              ],
              // npx caches the package under HOME; the root filesystem stays read-only.
              env: [{ name: 'HOME', value: '/tmp' }],
              ports: [{ name: 'http', containerPort: JUDGE_PORT, protocol: 'TCP' }],
              readinessProbe: { httpGet: { path: JUDGE_PATHS.health, port: 'http' }, periodSeconds: 5 },
              livenessProbe: { httpGet: { path: JUDGE_PATHS.health, port: 'http' }, periodSeconds: 10 },
              startupProbe: {
                httpGet: { path: JUDGE_PATHS.health, port: 'http' },
                periodSeconds: 5,
                failureThreshold: 60,
              },
              resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '512Mi' } },
              securityContext: {
                readOnlyRootFilesystem: true,
                allowPrivilegeEscalation: false,
                capabilities: { drop: ['ALL'] },
              },
              volumeMounts: [
                { name: 'thresholds', mountPath: '/etc/bentoci', readOnly: true },
                { name: 'tmp', mountPath: '/tmp' },
              ],
            },
          ],
          volumes: [
            { name: 'thresholds', configMap: { name: `${JUDGE_NAME}-thresholds` } },
            { name: 'tmp', emptyDir: {} },
          ],
        },
      },
    },
  };
  const service: IService = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(JUDGE_NAME),
    spec: {
      selector: { 'app.kubernetes.io/name': JUDGE_NAME },
      ports: [{ name: 'http', port: JUDGE_PORT, targetPort: 'http', protocol: 'TCP' }],
    },
  };
  return [config, deployment, service];
}
