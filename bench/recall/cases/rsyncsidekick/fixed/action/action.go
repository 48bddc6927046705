// Package action: minimal stub.
package action

type SyncAction interface{ Perform() error }
