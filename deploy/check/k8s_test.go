package check

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/yaml"

	"github.com/ternhq/tern/framework/platform"
)

// manifests are the objects of deploy/k8s, by kind.
type manifests struct {
	deployments map[string]*appsv1.Deployment
	services    map[string]*corev1.Service
	configMaps  map[string]*corev1.ConfigMap
	secrets     map[string]*corev1.Secret
	files       map[string]string // object "Kind/name" → file
}

// loadManifests parses every document of deploy/k8s/*.yaml strictly into its API type.
func loadManifests(t *testing.T) *manifests {
	t.Helper()
	m := &manifests{deployments: map[string]*appsv1.Deployment{}, services: map[string]*corev1.Service{},
		configMaps: map[string]*corev1.ConfigMap{}, secrets: map[string]*corev1.Secret{}, files: map[string]string{}}
	files, err := filepath.Glob(repoPath("deploy", "k8s", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no manifests: %v", err)
	}
	for _, f := range files {
		if base := filepath.Base(f); base == "kustomization.yaml" || base == "secrets.yaml" {
			continue // secrets.yaml: a user's real credentials, made from secrets.example.yaml
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		docs, err := decodeYAMLDocs(data)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, doc := range docs {
			raw, err := yaml.Marshal(doc)
			if err != nil {
				t.Fatal(err)
			}
			kind, _ := doc["kind"].(string)
			var name string
			switch kind {
			case "Deployment":
				var d appsv1.Deployment
				name = unmarshalStrict(t, f, raw, &d, &d.ObjectMeta.Name)
				m.deployments[name] = &d
			case "Service":
				var s corev1.Service
				name = unmarshalStrict(t, f, raw, &s, &s.ObjectMeta.Name)
				m.services[name] = &s
			case "ConfigMap":
				var c corev1.ConfigMap
				name = unmarshalStrict(t, f, raw, &c, &c.ObjectMeta.Name)
				m.configMaps[name] = &c
			case "Secret":
				var s corev1.Secret
				name = unmarshalStrict(t, f, raw, &s, &s.ObjectMeta.Name)
				m.secrets[name] = &s
			case "Namespace":
				var n corev1.Namespace
				name = unmarshalStrict(t, f, raw, &n, &n.ObjectMeta.Name)
			default:
				t.Errorf("%s: unexpected kind %q", f, kind)
				continue
			}
			key := kind + "/" + name
			if prev, dup := m.files[key]; dup {
				t.Errorf("%s defined in %s and %s", key, prev, f)
			}
			m.files[key] = filepath.Base(f)
		}
	}
	return m
}

// unmarshalStrict decodes raw into obj, failing on unknown fields, and returns the object's name.
func unmarshalStrict(t *testing.T, file string, raw []byte, obj any, name *string) string {
	t.Helper()
	if err := yaml.UnmarshalStrict(raw, obj); err != nil {
		t.Fatalf("%s: %v\n%s", file, err, raw)
	}
	if *name == "" {
		t.Fatalf("%s: an object without a name", file)
	}
	return *name
}

func TestK8sManifests(t *testing.T) {
	m := loadManifests(t)
	for _, svc := range shopServices(t) {
		t.Run(svc, func(t *testing.T) {
			d, ok := m.deployments[svc]
			if !ok {
				t.Fatalf("no Deployment %s", svc)
			}
			if d.APIVersion != "apps/v1" {
				t.Errorf("apiVersion %q", d.APIVersion)
			}
			checkDeployment(t, m, d)
			s, ok := m.services[svc]
			if !ok {
				t.Fatalf("no Service %s", svc)
			}
			checkService(t, s, d)
		})
	}
	for name, s := range m.services {
		if s.Spec.Type == corev1.ServiceTypeExternalName && s.Spec.ExternalName == "" {
			t.Errorf("Service %s: ExternalName without a name", name)
		}
	}
}

func checkDeployment(t *testing.T, m *manifests, d *appsv1.Deployment) {
	t.Helper()
	sel := d.Spec.Selector
	if sel == nil || len(sel.MatchLabels) == 0 {
		t.Fatalf("no selector")
	}
	for k, v := range sel.MatchLabels {
		if d.Spec.Template.Labels[k] != v {
			t.Errorf("selector %s=%s does not match the pod template", k, v)
		}
	}
	pod := d.Spec.Template.Spec
	if pod.SecurityContext == nil || pod.SecurityContext.RunAsNonRoot == nil || !*pod.SecurityContext.RunAsNonRoot {
		t.Errorf("pods may run as root")
	}
	if len(pod.Containers) != 1 {
		t.Fatalf("%d containers, want 1", len(pod.Containers))
	}
	c := pod.Containers[0]
	checkImageRef(t, c.Image)
	ports := map[string]int32{}
	for _, p := range c.Ports {
		ports[p.Name] = p.ContainerPort
	}
	for name, probe := range map[string]*corev1.Probe{"readiness": c.ReadinessProbe, "liveness": c.LivenessProbe, "startup": c.StartupProbe} {
		checkProbe(t, name, probe, ports)
	}
	for _, r := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
		if q, ok := c.Resources.Requests[r]; !ok || q.IsZero() {
			t.Errorf("no %s request", r)
		}
	}
	if q, ok := c.Resources.Limits[corev1.ResourceMemory]; !ok || q.Cmp(c.Resources.Requests[corev1.ResourceMemory]) < 0 {
		t.Errorf("memory limit %v below the request", q.String())
	}
	if sc := c.SecurityContext; sc == nil || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem ||
		sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
		t.Errorf("container security context: want a read-only root and no privilege escalation")
	}
	volumes := map[string]corev1.Volume{}
	for _, v := range pod.Volumes {
		volumes[v.Name] = v
	}
	mounts := map[string]string{}
	for _, vm := range c.VolumeMounts {
		v, ok := volumes[vm.Name]
		if !ok {
			t.Errorf("mount of an undeclared volume %s", vm.Name)
		}
		if v.ConfigMap != nil {
			mounts[vm.MountPath] = v.ConfigMap.Name
		}
	}
	if _, ok := mounts["/tmp"]; !ok && !hasMount(c, "/tmp") {
		t.Errorf("no writable /tmp (the Nacos client writes its cache there)")
	}
	checkK8sConfig(t, m, d, c, mounts, ports)
}

func hasMount(c corev1.Container, path string) bool {
	return slices.ContainsFunc(c.VolumeMounts, func(vm corev1.VolumeMount) bool { return vm.MountPath == path })
}

// checkImageRef wants an image with a version tag.
func checkImageRef(t *testing.T, ref string) {
	t.Helper()
	i := strings.LastIndexByte(ref, ':')
	if i < 0 || i < strings.LastIndexByte(ref, '/') {
		t.Errorf("image %q has no tag", ref)
		return
	}
	if tag := ref[i+1:]; tag == "latest" || !regexp.MustCompile(`^v?\d+\.\d+`).MatchString(tag) {
		t.Errorf("image %q: tag %q is not a version", ref, tag)
	}
}

func checkProbe(t *testing.T, name string, p *corev1.Probe, ports map[string]int32) {
	t.Helper()
	if p == nil {
		t.Errorf("no %s probe", name)
		return
	}
	var port intstr.IntOrString
	switch {
	case p.HTTPGet != nil:
		port = p.HTTPGet.Port
		if !strings.HasPrefix(p.HTTPGet.Path, "/") {
			t.Errorf("%s probe: path %q", name, p.HTTPGet.Path)
		}
	case p.TCPSocket != nil:
		port = p.TCPSocket.Port
	default:
		t.Errorf("%s probe: neither httpGet nor tcpSocket", name)
		return
	}
	if port.Type == intstr.String {
		if _, ok := ports[port.StrVal]; !ok {
			t.Errorf("%s probe: port %q is not a container port", name, port.StrVal)
		}
	} else if !slices.Contains(mapValues(ports), port.IntVal) {
		t.Errorf("%s probe: port %d is not a container port", name, port.IntVal)
	}
	if p.PeriodSeconds <= 0 || p.FailureThreshold <= 0 {
		t.Errorf("%s probe: period and failure threshold must be set", name)
	}
}

func mapValues[K comparable, V any](m map[K]V) []V {
	var out []V
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

func checkService(t *testing.T, s *corev1.Service, d *appsv1.Deployment) {
	t.Helper()
	if len(s.Spec.Selector) == 0 {
		t.Fatalf("Service %s selects nothing", s.Name)
	}
	for k, v := range s.Spec.Selector {
		if d.Spec.Template.Labels[k] != v {
			t.Errorf("Service %s: selector %s=%s does not select the pods", s.Name, k, v)
		}
	}
	names := map[string]bool{}
	for _, p := range d.Spec.Template.Spec.Containers[0].Ports {
		names[p.Name] = true
	}
	for _, p := range s.Spec.Ports {
		if p.TargetPort.Type != intstr.String || !names[p.TargetPort.StrVal] {
			t.Errorf("Service %s: port %s targets %s, not a named container port", s.Name, p.Name, p.TargetPort.String())
		}
	}
}

// checkK8sConfig checks a Deployment's configuration: its file in a ConfigMap and its environment
// (literal values, the ConfigMaps it loads, Secret keys that exist in secrets.example.yaml) name keys
// the service reads, and the whole validates.
func checkK8sConfig(t *testing.T, m *manifests, d *appsv1.Deployment, c corev1.Container, mounts map[string]string, ports map[string]int32) {
	t.Helper()
	env := map[string]string{}
	for _, ef := range c.EnvFrom {
		if ef.ConfigMapRef == nil {
			t.Errorf("envFrom: only ConfigMaps are expected")
			continue
		}
		cm, ok := m.configMaps[ef.ConfigMapRef.Name]
		if !ok {
			t.Errorf("envFrom: no ConfigMap %s", ef.ConfigMapRef.Name)
			continue
		}
		for k, v := range cm.Data {
			env[k] = v
		}
	}
	secret := exampleSecret(t)
	refs := regexp.MustCompile(`\$\(([A-Za-z_][A-Za-z0-9_]*)\)`)
	referenced := map[string]bool{}
	for _, e := range c.Env {
		switch {
		case e.ValueFrom == nil:
			env[e.Name] = e.Value
			for _, r := range refs.FindAllStringSubmatch(e.Value, -1) {
				referenced[r[1]] = true
			}
		case e.ValueFrom.SecretKeyRef != nil:
			ref := e.ValueFrom.SecretKeyRef
			v, ok := secret.StringData[ref.Key]
			if ref.Name != secret.Name || !ok {
				t.Errorf("env %s: Secret %s key %s is not in secrets.example.yaml", e.Name, ref.Name, ref.Key)
			}
			env[e.Name] = v
		case e.ValueFrom.FieldRef != nil:
			env[e.Name] = "10.0.0.1"
		}
	}
	for name := range env {
		if !strings.HasPrefix(name, platform.EnvPrefix) && !referenced[name] {
			t.Errorf("env %s: neither a configuration key nor used by another variable", name)
		}
	}
	// $(POD_IP) as Kubernetes expands it.
	for name, v := range env {
		env[name] = refs.ReplaceAllStringFunc(v, func(s string) string { return env[s[2:len(s)-1]] })
	}
	cmName, ok := mounts[env[platform.EnvConfDir]]
	if !ok {
		t.Fatalf("%s=%q is not a mounted ConfigMap", platform.EnvConfDir, env[platform.EnvConfDir])
	}
	file := env[platform.EnvName] + ".yaml"
	data, ok := m.configMaps[cmName].Data[file]
	if !ok {
		t.Fatalf("ConfigMap %s has no %s (%s=%s)", cmName, file, platform.EnvName, env[platform.EnvName])
	}
	cfg := checkServiceConfig(t, serviceConfig{where: "k8s " + d.Name, service: d.Name, file: "ConfigMap " + cmName + " " + file, data: []byte(data), env: env})
	port := portOf(cfg.Server.Addr)
	if !slices.ContainsFunc(mapValues(ports), func(p int32) bool { return strconv.Itoa(int(p)) == port }) {
		t.Errorf("server.addr %s: port %s is not a container port", cfg.Server.Addr, port)
	}
	if mp := portOf(cfg.Telemetry.MetricsAddr); mp == "" || strconv.Itoa(int(ports["metrics"])) != mp ||
		d.Spec.Template.Annotations["prometheus.io/port"] != mp {
		t.Errorf("telemetry.metrics_addr %q: not the container port metrics and the prometheus.io/port annotation", cfg.Telemetry.MetricsAddr)
	}
	if cfg.Registry.Kind == platform.RegistryNacos && cfg.Server.Advertise != "" && portOf(cfg.Server.Advertise) != port {
		t.Errorf("server.advertise %s: not the server's port %s", cfg.Server.Advertise, port)
	}
}

// exampleSecret is the Secret of secrets.example.yaml, which the Deployments' secret keys must exist in.
func exampleSecret(t *testing.T) *corev1.Secret {
	t.Helper()
	var s corev1.Secret
	if err := yaml.UnmarshalStrict(mustRead(t, "deploy", "k8s", "secrets.example.yaml"), &s); err != nil {
		t.Fatalf("secrets.example.yaml: %v", err)
	}
	return &s
}

func TestKustomization(t *testing.T) {
	var k struct {
		APIVersion string   `json:"apiVersion"`
		Kind       string   `json:"kind"`
		Namespace  string   `json:"namespace"`
		Resources  []string `json:"resources"`
		Images     []struct {
			Name    string `json:"name"`
			NewName string `json:"newName,omitempty"`
			NewTag  string `json:"newTag"`
		} `json:"images"`
	}
	if err := yaml.UnmarshalStrict(mustRead(t, "deploy", "k8s", "kustomization.yaml"), &k); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(repoPath("deploy", "k8s", "*.yaml"))
	for _, f := range files {
		base := filepath.Base(f)
		if base == "kustomization.yaml" || base == "secrets.example.yaml" || base == "secrets.yaml" {
			continue
		}
		if !slices.Contains(k.Resources, base) {
			t.Errorf("kustomization.yaml does not list %s", base)
		}
	}
	for _, r := range k.Resources {
		if _, err := os.Stat(repoPath("deploy", "k8s", r)); err != nil {
			t.Errorf("kustomization.yaml: %v", err)
		}
	}
	m := loadManifests(t)
	for name, d := range m.deployments {
		img := d.Spec.Template.Spec.Containers[0].Image
		repo, _, _ := strings.Cut(img, ":")
		i := slices.IndexFunc(k.Images, func(e struct {
			Name    string `json:"name"`
			NewName string `json:"newName,omitempty"`
			NewTag  string `json:"newTag"`
		}) bool {
			return e.Name == repo
		})
		if i < 0 {
			t.Errorf("Deployment %s: image %s has no entry in kustomization.yaml images", name, repo)
			continue
		}
		checkImageRef(t, repo+":"+k.Images[i].NewTag)
	}
}
