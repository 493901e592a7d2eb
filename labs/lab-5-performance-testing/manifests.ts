// The Kubernetes objects of Lab 5's kind part, as YAML built from the pinned image list: the
// catalogue Deployment (catalogue and inventory containers in one Pod, like the Docker part's
// pod), its Service, the k6 script in a ConfigMap, and a suspended CronJob whose job template
// is the load test (run it with kubectl create job --from=cronjob/m9-lab5-k6).
import { appImageRef } from '../lib/app-image.ts';
import { imageRef } from '../lib/images.ts';
import { k6Script } from './k6.ts';

export const labId = 'lab-5-performance-testing';
const label = `module9.lab: ${labId}`;
export const kindNames = { deployment: 'm9-lab5-catalog', service: 'm9-lab5-catalog', script: 'm9-lab5-k6-script', cronJob: 'm9-lab5-k6', jobApp: 'm9-lab5-k6' };
/** The catalogue's CPU limit at the start of the kind part: far below what 40 requests/s need. */
export const throttledCpu = '50m';
/** Pricing work per request in the kind part (PRICING_ROUNDS): about 3-4 ms of one laptop core. */
export const kindPricingRounds = 1000;

export function catalogDeployment(cpuLimit = throttledCpu): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${kindNames.deployment}
  labels:
    app: ${kindNames.deployment}
    ${label}
spec:
  replicas: 1
  selector:
    matchLabels:
      app: ${kindNames.deployment}
  template:
    metadata:
      labels:
        app: ${kindNames.deployment}
        ${label}
    spec:
      terminationGracePeriodSeconds: 5
      containers:
        - name: catalog
          image: ${appImageRef(labId, 'catalog')}
          imagePullPolicy: Never
          env:
            - { name: INVENTORY_POOL_SIZE, value: "16" }
            - { name: PRICING_ROUNDS, value: "${kindPricingRounds}" }
          ports:
            - containerPort: 8080
          # Gates the start only: a throttled catalogue answers /healthz late, and the lesson
          # is its latency under load, not its removal from the Service.
          readinessProbe:
            httpGet: { path: /healthz, port: 8080 }
            periodSeconds: 2
            timeoutSeconds: 5
            failureThreshold: 30
          resources:
            requests: { cpu: ${cpuLimit}, memory: 64Mi }
            limits: { cpu: ${cpuLimit}, memory: 128Mi }
        - name: inventory
          image: ${appImageRef(labId, 'inventory')}
          imagePullPolicy: Never
          resources:
            requests: { cpu: 100m, memory: 64Mi }
            limits: { cpu: 500m, memory: 128Mi }
`;
}

export const catalogService = `apiVersion: v1
kind: Service
metadata:
  name: ${kindNames.service}
  labels:
    ${label}
spec:
  selector:
    app: ${kindNames.deployment}
  ports:
    - port: 8080
      targetPort: 8080
`;

export function k6ScriptConfigMap(script = k6Script(`http://${kindNames.service}:8080`)): string {
  const indented = script.split('\n').map((line) => (line ? `    ${line}` : '')).join('\n');
  return `apiVersion: v1
kind: ConfigMap
metadata:
  name: ${kindNames.script}
  labels:
    ${label}
data:
  script.js: |
${indented}
`;
}

/**
 * A suspended CronJob that only serves as the Job template. k6 runs as an init container (its
 * exit code, 99 when a threshold is crossed, is printed rather than failing the Pod), then the
 * summary container prints the summary JSON: `kubectl logs job/<name> -c summary`.
 */
export const k6CronJob = `apiVersion: batch/v1
kind: CronJob
metadata:
  name: ${kindNames.cronJob}
  labels:
    ${label}
spec:
  schedule: "0 0 1 1 *"
  suspend: true
  jobTemplate:
    metadata:
      labels:
        app: ${kindNames.jobApp}
        ${label}
    spec:
      backoffLimit: 0
      activeDeadlineSeconds: 180
      template:
        metadata:
          labels:
            app: ${kindNames.jobApp}
            ${label}
        spec:
          restartPolicy: Never
          initContainers:
            - name: k6
              image: ${imageRef('k6')}
              command: ["sh", "-c", "k6 run --quiet /scripts/script.js; echo \\"k6 exited with code $?\\""]
              volumeMounts:
                - { name: script, mountPath: /scripts }
                - { name: results, mountPath: /results }
              resources:
                requests: { cpu: 250m, memory: 128Mi }
                limits: { cpu: "1", memory: 256Mi }
          containers:
            - name: summary
              image: ${imageRef('busybox')}
              command: ["cat", "/results/summary.json"]
              volumeMounts:
                - { name: results, mountPath: /results }
          volumes:
            - name: script
              configMap: { name: ${kindNames.script} }
            - name: results
              emptyDir: {}
`;
