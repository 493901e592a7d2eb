// The shop on Kubernetes: one Deployment and one Service per service, in the lab's namespace.
// Each container serves on 8080 (port name http); each Service listens on 80.
import { labLabel } from '../lib/docker.ts';
import { appImageRef } from '../lib/app-image.ts';
import { labId, type Service } from './shop.ts';

const env: Record<Service, Record<string, string>> = {
  storefront: { ORDERS_URL: 'http://orders' },
  orders: { INVENTORY_URL: 'http://inventory' },
  inventory: {},
};

export function deployment(service: Service): string {
  const vars = Object.entries(env[service]).map(([name, value]) => `            - name: ${name}\n              value: "${value}"`);
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${service}
  labels:
    app: ${service}
    ${labLabel}: ${labId}
spec:
  replicas: 1
  selector:
    matchLabels:
      app: ${service}
  template:
    metadata:
      labels:
        app: ${service}
        ${labLabel}: ${labId}
    spec:
      containers:
        - name: ${service}
          image: ${appImageRef(labId, service)}
          imagePullPolicy: IfNotPresent
          ports:
            - name: http
              containerPort: 8080
          env:${vars.length ? `\n${vars.join('\n')}` : ' []'}
          readinessProbe:
            httpGet:
              path: /healthz
              port: http
            periodSeconds: 2
          resources:
            requests:
              cpu: 20m
              memory: 48Mi
            limits:
              memory: 128Mi
`;
}

/** The Service in front of each Deployment; `targetPort` is where it sends the traffic. */
export function service(name: Service, targetPort: number | string = 'http'): string {
  return `apiVersion: v1
kind: Service
metadata:
  name: ${name}
  labels:
    app: ${name}
    ${labLabel}: ${labId}
spec:
  selector:
    app: ${name}
  ports:
    - name: web
      port: 80
      targetPort: ${targetPort}
`;
}

/** The shop as last week's release left it (what it changed is the scenario's question). */
export function shopManifest(): string {
  const services = ['storefront', 'orders', 'inventory'] as const;
  return [...services.map(deployment), service('storefront'), service('orders'), service('inventory', 8081)].join('---\n');
}
