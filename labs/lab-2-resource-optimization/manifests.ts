// The Kubernetes objects of Lab 2's kind part, as YAML built from the pinned image list.
import { imageRef } from '../lib/images.ts';

export const labId = 'lab-2-resource-optimization';
const label = `module9.lab: ${labId}`;

interface Resources {
  requests?: Record<string, string>;
  limits?: Record<string, string>;
}

function resourcesYaml(resources: Resources | undefined, indent: string): string {
  if (!resources) return '';
  const block = (name: string, values?: Record<string, string>) =>
    values ? `${indent}  ${name}:\n${Object.entries(values).map(([k, v]) => `${indent}    ${k}: ${v}`).join('\n')}\n` : '';
  return `${indent}resources:\n${block('requests', resources.requests)}${block('limits', resources.limits)}`;
}

export function deployment(options: {
  name: string;
  replicas: number;
  command: string;
  resources?: Resources;
  strategy?: 'RollingUpdate' | 'Recreate';
}): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${options.name}
  labels:
    app: ${options.name}
    ${label}
spec:
  replicas: ${options.replicas}
  strategy:
    type: ${options.strategy ?? 'RollingUpdate'}
  selector:
    matchLabels:
      app: ${options.name}
  template:
    metadata:
      labels:
        app: ${options.name}
        ${label}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
        - name: main
          image: ${imageRef('busybox')}
          command: ["sh", "-c", ${JSON.stringify(options.command)}]
${resourcesYaml(options.resources, '          ')}`;
}

export const limitRange = `apiVersion: v1
kind: LimitRange
metadata:
  name: m9-defaults
  labels:
    ${label}
spec:
  limits:
    - type: Container
      defaultRequest:
        cpu: 100m
        memory: 64Mi
      default:
        cpu: 200m
        memory: 128Mi
`;

export const quotaHard = { 'requests.memory': '256Mi', 'limits.memory': '512Mi', pods: '10' };

export const resourceQuota = `apiVersion: v1
kind: ResourceQuota
metadata:
  name: m9-quota
  labels:
    ${label}
spec:
  hard:
${Object.entries(quotaHard).map(([k, v]) => `    ${k}: "${v}"`).join('\n')}
`;

export function hpa(averageUtilization = 50, maxReplicas = 4): string {
  return `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: m9-cpu-app
  labels:
    ${label}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: m9-cpu-app
  minReplicas: 1
  maxReplicas: ${maxReplicas}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: ${averageUtilization}
`;
}

/** A Pod with no controller: what the "replace the Deployment" wrong fix creates. */
export function barePod(name: string, app: string, resources: Record<string, string>): string {
  const values = Object.entries(resources).map(([k, v]) => `          ${k}: ${v}`).join('\n');
  return `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  labels:
    app: ${app}
    ${label}
spec:
  terminationGracePeriodSeconds: 1
  containers:
    - name: main
      image: ${imageRef('busybox')}
      command: ["sleep", "86400"]
      resources:
        requests:
${values}
        limits:
${values}
`;
}
