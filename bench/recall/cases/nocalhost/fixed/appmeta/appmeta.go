// Package appmeta: minimal stub of nocalhost/internal/nhctl/appmeta (Decode keeps the pointer,
// as the real ReAssignmentBySecret does with `a.Secret = secret`).
package appmeta

import "example.com/nocalhost/v1"

type ApplicationDevMeta map[string]string

type Event struct{}

func (a ApplicationDevMeta) Events(b ApplicationDevMeta) *[]*Event { return &[]*Event{} }

type ApplicationMeta struct {
	Application string
	DevMeta     ApplicationDevMeta
	Secret      *v1.Secret
}

func (a *ApplicationMeta) GetApplicationDevMeta() ApplicationDevMeta { return a.DevMeta }

func (a *ApplicationMeta) ReAssignmentBySecret(secret *v1.Secret) error {
	a.Secret = secret
	a.Application = secret.Name
	return nil
}

func Decode(secret *v1.Secret) (*ApplicationMeta, error) {
	appMeta := ApplicationMeta{}
	if err := appMeta.ReAssignmentBySecret(secret); err != nil {
		return nil, err
	}
	return &appMeta, nil
}
