package kube

import (
	"time"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/yaml"
)

// SyntheticWorkload is a Deployment to write into a made-up snapshot:
// its requests per pod (Kubernetes quantities), its HPA on CPU
// utilisation (none when HPAMin is 0) and its running pods, by name.
type SyntheticWorkload struct {
	Namespace, Name string
	Replicas        int32
	CPU, Memory     string
	// HPAMin and HPAMax bound the HPA; HPATarget is its CPU target, in
	// percent of the request.
	HPAMin, HPAMax, HPATarget int32
	// Pods name the workload's running pods.
	Pods []string
	// Created is when the objects were created.
	Created time.Time
}

// Synthesize writes workloads as a snapshot, as `kubectl get
// deploy,hpa,pod -o yaml` would: a List of Deployments, their HPAs and
// pods, which ReadSnapshot reads back. The demo prices and right-sizes
// its made-up clusters through it.
func Synthesize(ws []SyntheticWorkload) ([]byte, error) {
	var items []runtime.RawExtension
	add := func(obj runtime.Object) error {
		b, err := yaml.Marshal(obj)
		if err != nil {
			return err
		}
		j, err := yaml.YAMLToJSON(b)
		if err != nil {
			return err
		}
		items = append(items, runtime.RawExtension{Raw: j})
		return nil
	}
	for _, w := range ws {
		created := metav1.NewTime(w.Created)
		labels := map[string]string{"app.kubernetes.io/name": w.Name, "app.kubernetes.io/component": w.Name}
		res := corev1.ResourceRequirements{Requests: corev1.ResourceList{
			corev1.ResourceCPU: resource.MustParse(w.CPU), corev1.ResourceMemory: resource.MustParse(w.Memory)}}
		replicas := w.Replicas
		dep := &appsv1.Deployment{
			TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
			ObjectMeta: metav1.ObjectMeta{Name: w.Name, Namespace: w.Namespace, Labels: labels, CreationTimestamp: created},
			Spec: appsv1.DeploymentSpec{
				Replicas: &replicas,
				Selector: &metav1.LabelSelector{MatchLabels: labels},
				Template: corev1.PodTemplateSpec{
					ObjectMeta: metav1.ObjectMeta{Labels: labels},
					Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: w.Name, Image: "example.com/fintech/" + w.Name + ":1.0", Resources: res}}},
				},
			},
			Status: appsv1.DeploymentStatus{Replicas: replicas, ReadyReplicas: replicas, AvailableReplicas: replicas},
		}
		if err := add(dep); err != nil {
			return nil, err
		}
		if w.HPAMin > 0 {
			min := w.HPAMin
			target := w.HPATarget
			hpa := &autoscalingv2.HorizontalPodAutoscaler{
				TypeMeta:   metav1.TypeMeta{APIVersion: "autoscaling/v2", Kind: "HorizontalPodAutoscaler"},
				ObjectMeta: metav1.ObjectMeta{Name: w.Name, Namespace: w.Namespace, CreationTimestamp: created},
				Spec: autoscalingv2.HorizontalPodAutoscalerSpec{
					ScaleTargetRef: autoscalingv2.CrossVersionObjectReference{APIVersion: "apps/v1", Kind: "Deployment", Name: w.Name},
					MinReplicas:    &min, MaxReplicas: w.HPAMax,
					Metrics: []autoscalingv2.MetricSpec{{Type: autoscalingv2.ResourceMetricSourceType, Resource: &autoscalingv2.ResourceMetricSource{
						Name: corev1.ResourceCPU, Target: autoscalingv2.MetricTarget{Type: autoscalingv2.UtilizationMetricType, AverageUtilization: &target}}}},
				},
				Status: autoscalingv2.HorizontalPodAutoscalerStatus{CurrentReplicas: w.Replicas, DesiredReplicas: w.Replicas},
			}
			if err := add(hpa); err != nil {
				return nil, err
			}
		}
		for _, name := range w.Pods {
			pod := &corev1.Pod{
				TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"},
				ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: w.Namespace, Labels: labels, CreationTimestamp: created,
					OwnerReferences: []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: w.Name + "-7d9f8c6b5"}}},
				Spec:   corev1.PodSpec{Containers: []corev1.Container{{Name: w.Name, Image: "example.com/fintech/" + w.Name + ":1.0", Resources: res}}},
				Status: corev1.PodStatus{Phase: corev1.PodRunning},
			}
			if err := add(pod); err != nil {
				return nil, err
			}
		}
	}
	list := struct {
		APIVersion string                 `json:"apiVersion"`
		Kind       string                 `json:"kind"`
		Items      []runtime.RawExtension `json:"items"`
	}{"v1", "List", items}
	return yaml.Marshal(list)
}
