/** A one-container Deployment labelled `app: <name>`, as the tests' sources write it. */
export function deploymentYaml(opts: { name: string; namespace: string; image: string; replicas?: number }): string {
  const { name, namespace, image, replicas = 1 } = opts;
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: ${namespace}
spec:
  replicas: ${replicas}
  selector:
    matchLabels: { app: ${name} }
  template:
    metadata:
      labels: { app: ${name} }
    spec:
      containers:
        - name: ${name}
          image: ${image}
`;
}
