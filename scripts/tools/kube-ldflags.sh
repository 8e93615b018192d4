# Sourced by the scripts that build Kubernetes binaries (ensure-kube.sh, ensure-node-runtime.sh):
# version stamps as Kubernetes' own build sets them (otherwise /version and the node report v0.0.0-master).
minor=${KUBERNETES_VERSION#v1.}; minor=${minor%%.*}
kube_ldflags="-s -w"
for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  kube_ldflags+=" -X $p.gitVersion=$KUBERNETES_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$minor"
  kube_ldflags+=" -X $p.gitTreeState=clean -X $p.buildDate=1970-01-01T00:00:00Z"
done
