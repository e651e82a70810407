// Command protobuf-vectors writes test vectors for the sandbox's protobuf decoder
// (test/unit/sandbox/protobuf/gogo-vectors.json): objects that kubectl's `create` subcommands do
// not fill (owner references, finalizers, quantities, IntOrString, times, pointers to zero values,
// volumes, env sources...), each encoded by k8s.io/apimachinery's own protobuf serializer (the
// generated gogo-protobuf Marshal of k8s.io/api) next to Go's encoding/json of the same object.
//
//	cd scripts/tools/protobuf-vectors && go run . > ../../../test/unit/sandbox/protobuf/gogo-vectors.json
package main

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"os"
	"sort"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	authorizationv1 "k8s.io/api/authorization/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/runtime/serializer/protobuf"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
)

type vector struct {
	Name string          `json:"name"`
	Body string          `json:"body"`
	JSON json.RawMessage `json:"json"`
}

func ptr[T any](v T) *T { return &v }

var (
	created = metav1.NewTime(time.Date(2026, 12, 5, 0, 1, 2, 0, time.UTC))
	deleted = metav1.NewTime(time.Date(2026, 12, 5, 0, 9, 30, 0, time.UTC))
)

func richMeta(name string) metav1.ObjectMeta {
	return metav1.ObjectMeta{
		Name: name, GenerateName: name + "-", Namespace: "ns1", UID: "4d1e3a52-7c4b-4f38-9a52-0f2a6e1f8b10",
		ResourceVersion: "42", Generation: -7, CreationTimestamp: created, DeletionTimestamp: &deleted,
		DeletionGracePeriodSeconds: ptr(int64(0)),
		Labels:                     map[string]string{"app": "web", "tier": ""},
		Annotations:                map[string]string{"note": "ünïcödé ✓", "empty": ""},
		OwnerReferences: []metav1.OwnerReference{
			{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: "web-abc", UID: "0b6e4c3a-8d1f-4a57-9f0e-2f4b2b0c9e11", Controller: ptr(true), BlockOwnerDeletion: ptr(false)},
			{APIVersion: "v1", Kind: "ConfigMap", Name: "owner", UID: "u2"},
		},
		Finalizers: []string{"example.org/one", "example.org/two"},
	}
}

func podTemplate() corev1.PodTemplateSpec {
	return corev1.PodTemplateSpec{
		ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "web"}, Annotations: map[string]string{"a": "b"}},
		Spec: corev1.PodSpec{
			Volumes: []corev1.Volume{
				{Name: "cfg", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
					LocalObjectReference: corev1.LocalObjectReference{Name: "cm1"}, Items: []corev1.KeyToPath{{Key: "k", Path: "p", Mode: ptr(int32(0o400))}}, DefaultMode: ptr(int32(0o644)), Optional: ptr(false)}}},
				{Name: "sec", VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{SecretName: "s1"}}},
				{Name: "tmp", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{Medium: corev1.StorageMediumMemory, SizeLimit: ptr(resource.MustParse("64Mi"))}}},
				{Name: "host", VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/var/log", Type: ptr(corev1.HostPathDirectory)}}},
				{Name: "data", VolumeSource: corev1.VolumeSource{PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: "pvc1", ReadOnly: true}}},
			},
			InitContainers: []corev1.Container{{Name: "init", Image: "busybox", Args: []string{"true"}}},
			Containers: []corev1.Container{{
				Name: "web", Image: "example.org/web:1", Command: []string{"web"}, Args: []string{"--port", "8080"}, WorkingDir: "/srv",
				Ports: []corev1.ContainerPort{{Name: "http", ContainerPort: 8080, Protocol: corev1.ProtocolTCP}, {ContainerPort: 9090, HostPort: -1, HostIP: "127.0.0.1"}},
				EnvFrom: []corev1.EnvFromSource{{Prefix: "CFG_", ConfigMapRef: &corev1.ConfigMapEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: "cm1"}}},
					{SecretRef: &corev1.SecretEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: "s1"}, Optional: ptr(true)}}},
				Env: []corev1.EnvVar{
					{Name: "PLAIN", Value: "v"},
					{Name: "EMPTY"},
					{Name: "POD", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.name"}}},
					{Name: "PASS", ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "s1"}, Key: "password"}}},
					{Name: "CFG", ValueFrom: &corev1.EnvVarSource{ConfigMapKeyRef: &corev1.ConfigMapKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "cm1"}, Key: "k", Optional: ptr(false)}}},
				},
				Resources: corev1.ResourceRequirements{
					Limits:   corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("500m"), corev1.ResourceMemory: resource.MustParse("128Mi")},
					Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("0.1"), "example.org/gpu": resource.MustParse("1")},
				},
				VolumeMounts:    []corev1.VolumeMount{{Name: "cfg", MountPath: "/etc/cfg", ReadOnly: true}, {Name: "tmp", MountPath: "/tmp", SubPath: "x"}},
				ImagePullPolicy: corev1.PullIfNotPresent, TerminationMessagePolicy: corev1.TerminationMessageFallbackToLogsOnError,
				Stdin: true, TTY: true,
			}},
			RestartPolicy: corev1.RestartPolicyAlways, TerminationGracePeriodSeconds: ptr(int64(30)), DNSPolicy: corev1.DNSClusterFirst,
			NodeSelector: map[string]string{"kubernetes.io/os": "linux"}, ServiceAccountName: "robot", AutomountServiceAccountToken: ptr(false),
			ImagePullSecrets: []corev1.LocalObjectReference{{Name: "reg"}}, SchedulerName: "default-scheduler",
			Tolerations:       []corev1.Toleration{{Key: "k", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute, TolerationSeconds: ptr(int64(300))}},
			PriorityClassName: "high", Priority: ptr(int32(0)), EnableServiceLinks: ptr(false),
		},
	}
}

func objects() map[string]runtime.Object {
	return map[string]runtime.Object{
		"Deployment: full ObjectMeta, replicas 0, rolling update, a rich pod template": &appsv1.Deployment{
			ObjectMeta: richMeta("web"),
			Spec: appsv1.DeploymentSpec{
				Replicas: ptr(int32(0)), Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"},
					MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "tier", Operator: metav1.LabelSelectorOpIn, Values: []string{"a", "b"}}, {Key: "x", Operator: metav1.LabelSelectorOpExists}}},
				Template: podTemplate(),
				Strategy: appsv1.DeploymentStrategy{Type: appsv1.RollingUpdateDeploymentStrategyType, RollingUpdate: &appsv1.RollingUpdateDeployment{
					MaxUnavailable: ptr(intstr.FromInt32(0)), MaxSurge: ptr(intstr.FromString("25%"))}},
				MinReadySeconds: 5, RevisionHistoryLimit: ptr(int32(10)), ProgressDeadlineSeconds: ptr(int32(600)), Paused: true,
			},
			Status: appsv1.DeploymentStatus{ObservedGeneration: 3, Replicas: 2, ReadyReplicas: 1, CollisionCount: ptr(int32(0)),
				Conditions: []appsv1.DeploymentCondition{{Type: appsv1.DeploymentAvailable, Status: corev1.ConditionTrue, LastUpdateTime: created, Reason: "MinimumReplicasAvailable"}}},
		},
		"Service: string targetPort, pointers to false, session affinity": &corev1.Service{
			ObjectMeta: metav1.ObjectMeta{Name: "svc", Namespace: "ns1"},
			Spec: corev1.ServiceSpec{
				Type: corev1.ServiceTypeLoadBalancer, Selector: map[string]string{"app": "web"},
				Ports: []corev1.ServicePort{{Name: "http", Protocol: corev1.ProtocolTCP, Port: 80, TargetPort: intstr.FromString("http"), AppProtocol: ptr("http")},
					{Name: "zero", Port: 81}},
				ClusterIP: "10.96.0.10", ClusterIPs: []string{"10.96.0.10", "fd00::10"}, IPFamilies: []corev1.IPFamily{corev1.IPv4Protocol, corev1.IPv6Protocol},
				IPFamilyPolicy: ptr(corev1.IPFamilyPolicyPreferDualStack), ExternalTrafficPolicy: corev1.ServiceExternalTrafficPolicyLocal, HealthCheckNodePort: 32000,
				SessionAffinity: corev1.ServiceAffinityClientIP, SessionAffinityConfig: &corev1.SessionAffinityConfig{ClientIP: &corev1.ClientIPConfig{TimeoutSeconds: ptr(int32(10800))}},
				AllocateLoadBalancerNodePorts: ptr(false), LoadBalancerSourceRanges: []string{"192.0.2.0/24"}, PublishNotReadyAddresses: true,
			},
			Status: corev1.ServiceStatus{LoadBalancer: corev1.LoadBalancerStatus{Ingress: []corev1.LoadBalancerIngress{{IP: "192.0.2.10", IPMode: ptr(corev1.LoadBalancerIPModeVIP), Ports: []corev1.PortStatus{{Port: 80, Protocol: corev1.ProtocolTCP}}}}},
				Conditions: []metav1.Condition{{Type: "Ready", Status: metav1.ConditionTrue, ObservedGeneration: 2, LastTransitionTime: created, Reason: "Ok", Message: ""}}},
		},
		"ConfigMap: immutable false, binary data, empty values": &corev1.ConfigMap{
			ObjectMeta: metav1.ObjectMeta{Name: "cm", Namespace: "ns1"}, Immutable: ptr(false),
			Data: map[string]string{"a": "", "b": "x\ny"}, BinaryData: map[string][]byte{"bin": {0, 1, 2, 255}, "none": {}},
		},
		"Secret: stringData and data": &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Name: "s", Namespace: "ns1"}, Immutable: ptr(true), Type: corev1.SecretTypeBasicAuth,
			Data: map[string][]byte{"username": []byte("u")}, StringData: map[string]string{"password": "p"},
		},
		"ServiceAccount: secrets and image pull secrets": &corev1.ServiceAccount{
			ObjectMeta: metav1.ObjectMeta{Name: "robot", Namespace: "ns1"}, AutomountServiceAccountToken: ptr(true),
			Secrets: []corev1.ObjectReference{{Kind: "Secret", Name: "tok", Namespace: "ns1", FieldPath: "x"}}, ImagePullSecrets: []corev1.LocalObjectReference{{Name: "reg"}},
		},
		"Namespace: finalizers and conditions": &corev1.Namespace{
			ObjectMeta: metav1.ObjectMeta{Name: "gone", DeletionTimestamp: &deleted},
			Spec:       corev1.NamespaceSpec{Finalizers: []corev1.FinalizerName{corev1.FinalizerKubernetes}},
			Status: corev1.NamespaceStatus{Phase: corev1.NamespaceTerminating, Conditions: []corev1.NamespaceCondition{
				{Type: corev1.NamespaceDeletionContentFailure, Status: corev1.ConditionFalse, Reason: "ContentDeleted"}}},
		},
		"CronJob: time zone, suspend, large int64, job template": &batchv1.CronJob{
			ObjectMeta: metav1.ObjectMeta{Name: "cj", Namespace: "ns1"},
			Spec: batchv1.CronJobSpec{Schedule: "0 * * * *", TimeZone: ptr("Europe/Paris"), StartingDeadlineSeconds: ptr(int64(1) << 40), Suspend: ptr(true),
				ConcurrencyPolicy: batchv1.ForbidConcurrent, SuccessfulJobsHistoryLimit: ptr(int32(0)),
				JobTemplate: batchv1.JobTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"j": "1"}},
					Spec: batchv1.JobSpec{Parallelism: ptr(int32(2)), Completions: ptr(int32(4)), BackoffLimit: ptr(int32(0)), CompletionMode: ptr(batchv1.IndexedCompletion),
						TTLSecondsAfterFinished: ptr(int32(60)), Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{RestartPolicy: corev1.RestartPolicyOnFailure,
							Containers: []corev1.Container{{Name: "c", Image: "busybox"}}}}}}},
			Status: batchv1.CronJobStatus{LastScheduleTime: &created, Active: []corev1.ObjectReference{{Kind: "Job", Name: "cj-1"}}},
		},
		"Job: status with times and uncounted pods": &batchv1.Job{
			ObjectMeta: metav1.ObjectMeta{Name: "j", Namespace: "ns1"},
			Spec:       batchv1.JobSpec{ManualSelector: ptr(true), Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"j": "1"}}, Suspend: ptr(false)},
			Status: batchv1.JobStatus{StartTime: &created, Active: 1, Failed: 2, Ready: ptr(int32(0)), CompletedIndexes: "1,3-5",
				UncountedTerminatedPods: &batchv1.UncountedTerminatedPods{Succeeded: []types.UID{"a"}},
				Conditions:              []batchv1.JobCondition{{Type: batchv1.JobFailed, Status: corev1.ConditionTrue, LastProbeTime: created, LastTransitionTime: deleted, Message: "m"}}},
		},
		"PodDisruptionBudget: status map of times": &policyv1.PodDisruptionBudget{
			ObjectMeta: metav1.ObjectMeta{Name: "pdb", Namespace: "ns1"},
			Spec:       policyv1.PodDisruptionBudgetSpec{MaxUnavailable: ptr(intstr.FromInt32(1)), UnhealthyPodEvictionPolicy: ptr(policyv1.AlwaysAllow)},
			Status:     policyv1.PodDisruptionBudgetStatus{DisruptedPods: map[string]metav1.Time{"p1": created}, DisruptionsAllowed: 0, ExpectedPods: 3},
		},
		"Eviction with delete options": &policyv1.Eviction{
			ObjectMeta:    metav1.ObjectMeta{Name: "p1", Namespace: "ns1"},
			DeleteOptions: &metav1.DeleteOptions{GracePeriodSeconds: ptr(int64(0)), Preconditions: &metav1.Preconditions{UID: ptr(types.UID("u1")), ResourceVersion: ptr("")}},
		},
		"SubjectAccessReview with extra": &authorizationv1.SubjectAccessReview{
			Spec: authorizationv1.SubjectAccessReviewSpec{User: "alice", Groups: []string{"devs"}, UID: "1",
				Extra:              map[string]authorizationv1.ExtraValue{"scopes": {"a", "b"}, "none": nil},
				ResourceAttributes: &authorizationv1.ResourceAttributes{Verb: "list", Resource: "pods", LabelSelector: &authorizationv1.LabelSelectorAttributes{RawSelector: "a=b"}}},
		},
		"Pod: a kind the sandbox does not decode": &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "p"}},
		"Deployment: a pod security context, a field the tables leave out": &appsv1.Deployment{
			ObjectMeta: metav1.ObjectMeta{Name: "sc"},
			Spec: appsv1.DeploymentSpec{Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{
				SecurityContext: &corev1.PodSecurityContext{RunAsUser: ptr(int64(1000))}, Containers: []corev1.Container{{Name: "c"}}}}},
		},
	}
}

func main() {
	scheme := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{appsv1.AddToScheme, authorizationv1.AddToScheme, batchv1.AddToScheme, corev1.AddToScheme, policyv1.AddToScheme} {
		if err := add(scheme); err != nil {
			panic(err)
		}
	}
	metav1.AddToGroupVersion(scheme, schema.GroupVersion{Group: "", Version: "v1"})
	ser := protobuf.NewSerializer(scheme, scheme)
	objs := objects()
	objs["DeleteOptions in apps/v1, as client-go sends with a delete"] = &metav1.DeleteOptions{
		TypeMeta: metav1.TypeMeta{APIVersion: "apps/v1", Kind: "DeleteOptions"}, PropagationPolicy: ptr(metav1.DeletePropagationForeground), DryRun: []string{metav1.DryRunAll}, OrphanDependents: ptr(false)}
	var out []vector
	for _, name := range sortedKeys(objs) {
		obj := objs[name]
		if obj.GetObjectKind().GroupVersionKind().Empty() {
			gvks, _, err := scheme.ObjectKinds(obj)
			if err != nil {
				panic(err)
			}
			obj.GetObjectKind().SetGroupVersionKind(gvks[0])
		}
		var buf bytes.Buffer
		if err := ser.Encode(obj, &buf); err != nil {
			panic(err)
		}
		js, err := json.Marshal(obj)
		if err != nil {
			panic(err)
		}
		out = append(out, vector{Name: name, Body: hex.EncodeToString(buf.Bytes()), JSON: js})
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		panic(err)
	}
}

func sortedKeys(m map[string]runtime.Object) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
