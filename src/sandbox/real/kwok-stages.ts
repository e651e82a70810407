// The stages kwok plays on the real backend's pods (`kfed sandbox --real-apiserver --kwok`): a pod
// kube-scheduler bound to a node starts at once, Running and Ready with its containers running,
// and a pod being deleted goes at once (there is no kubelet to wait for). kwok does not schedule:
// pods no node has room for stay Pending, Unschedulable, as kube-scheduler leaves them. The nodes
// themselves are registered Ready by kfed's agent (agent.ts), with the topology's labels and
// capacity; kwok's one node stage only makes a node that is not Ready Ready again (kwok manages
// the pods of nodes it has node stages for). Written for kwok's Stage API (kwok.x-k8s.io/v1alpha1);
// the templates use kwok's template functions (Now, Quote, NodeIPWith, PodIPWith).
import { stringify } from 'yaml';

const POD = { apiGroup: 'v1', kind: 'Pod' };
const NODE = { apiGroup: 'v1', kind: 'Node' };

const NODE_READY = `{{ $now := Now }}
conditions:
- type: Ready
  status: "True"
  reason: KubeletReady
  message: kwok is posting ready status
  lastHeartbeatTime: {{ $now | Quote }}
  lastTransitionTime: {{ $now | Quote }}
`;

const RUNNING = `{{ $now := Now }}
phase: Running
startTime: {{ $now | Quote }}
hostIP: {{ NodeIPWith .spec.nodeName | Quote }}
podIP: {{ PodIPWith .spec.nodeName (or .spec.hostNetwork false) (or .metadata.uid "") (or .metadata.name "") (or .metadata.namespace "") | Quote }}
conditions:
{{ range $type := list "PodReadyToStartContainers" "Initialized" "ContainersReady" "Ready" "PodScheduled" }}
- type: {{ $type }}
  status: "True"
  lastTransitionTime: {{ $now | Quote }}
{{ end }}
containerStatuses:
{{ range .spec.containers }}
- name: {{ .name | Quote }}
  image: {{ .image | Quote }}
  imageID: {{ printf "kwok://%s" .image | Quote }}
  containerID: {{ printf "kwok://%s" .name | Quote }}
  ready: true
  started: true
  restartCount: 0
  state: {running: {startedAt: {{ $now | Quote }}}}
{{ end }}
`;

export function kwokStages(): string {
  const stages = [
    {
      apiVersion: 'kwok.x-k8s.io/v1alpha1', kind: 'Stage', metadata: { name: 'kfed-node-ready' },
      spec: {
        resourceRef: NODE,
        selector: { matchExpressions: [{ key: '.status.conditions.[] | select( .type == "Ready" ) | .status', operator: 'NotIn', values: ['True'] }] },
        next: { statusTemplate: NODE_READY },
      },
    },
    {
      apiVersion: 'kwok.x-k8s.io/v1alpha1', kind: 'Stage', metadata: { name: 'kfed-pod-running' },
      spec: {
        resourceRef: POD,
        selector: {
          matchExpressions: [
            { key: '.metadata.deletionTimestamp', operator: 'DoesNotExist' },
            { key: '.spec.nodeName', operator: 'Exists' },
            { key: '.status.phase', operator: 'In', values: ['Pending'] },
          ],
        },
        next: { statusTemplate: RUNNING },
      },
    },
    {
      apiVersion: 'kwok.x-k8s.io/v1alpha1', kind: 'Stage', metadata: { name: 'kfed-pod-gone' },
      spec: {
        resourceRef: POD,
        selector: { matchExpressions: [{ key: '.metadata.deletionTimestamp', operator: 'Exists' }] },
        next: { finalizers: { empty: true }, delete: true },
      },
    },
  ];
  return stages.map((s) => stringify(s)).join('---\n');
}
