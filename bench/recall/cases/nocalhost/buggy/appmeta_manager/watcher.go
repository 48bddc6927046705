package appmeta_manager

import (
	"sync"

	"example.com/nocalhost/appmeta"
	v1 "example.com/nocalhost/v1"
)

// --- minimal stubs (not from the original project) ---
type applicationSecretWatcher struct {
	configBytes      []byte
	ns               string
	applicationMetas map[string]*appmeta.ApplicationMeta
	lock             sync.Mutex
	listSecrets      func() (*v1.SecretList, error)
}

type ApplicationEventPack struct {
	Event           *appmeta.Event
	Ns              string
	AppName         string
	KubeConfigBytes []byte
}

func EventPush(p *ApplicationEventPack) {}

// --- verbatim from nocalhost internal/nhctl/appmeta_manager/application_secret_watcher.go ---
func (asw *applicationSecretWatcher) join(secret *v1.Secret) error {
	devMetaBefore := appmeta.ApplicationDevMeta{}
	devMetaCurrent := appmeta.ApplicationDevMeta{}

	asw.lock.Lock()
	defer asw.lock.Unlock()

	current, err := appmeta.Decode(secret)
	if err != nil {
		return err
	}
	appName := current.Application

	if before, ok := asw.applicationMetas[appName]; ok && before != nil {
		devMetaBefore = before.GetApplicationDevMeta()
	}

	devMetaCurrent = current.DevMeta
	asw.applicationMetas[appName] = current

	for _, event := range *devMetaBefore.Events(devMetaCurrent) {
		EventPush(
			&ApplicationEventPack{
				Event: event,
				//Nid:             current.NamespaceId,
				Ns:              asw.ns,
				AppName:         appName,
				KubeConfigBytes: asw.configBytes,
			},
		)
	}
	return nil
}

// Prepare: the Kubernetes client/watch setup is replaced by asw.listSecrets(); the loop is verbatim.
func (asw *applicationSecretWatcher) Prepare() error {
	list, err := asw.listSecrets()
	if err != nil {
		return nil
	}

	for _, v := range list.Items {
		if err := asw.join(&v); err != nil {
			return err
		}
	}

	return nil
}
