package sync15

import (
	"context"
	"io"
	"log"
	"os"
	"sort"

	"golang.org/x/sync/errgroup"
)

// --- minimal stubs (not from the original project) ---
var logI = struct{ Info, Trace *log.Logger }{log.New(os.Stderr, "", 0), log.New(os.Stderr, "", 0)}

type Entry struct{ Hash, DocumentID string }
type BlobDoc struct{ Entry }

func (d *BlobDoc) Mirror(e *Entry, r RemoteStorage) error { d.Entry = *e; return nil }

type RemoteStorage interface {
	GetRootIndex() (string, int64, error)
	GetReader(hash string) (io.ReadCloser, error)
}

type HashTree struct {
	Hash       string
	Generation int64
	Docs       []*BlobDoc
}

func parseIndex(f io.Reader) ([]*Entry, error) { return nil, nil }

// --- verbatim from juruen/rmapi api/sync15/tree.go (log.X renamed to logI.X) ---
// / Mirror makes the tree look like the storage
func (t *HashTree) Mirror(r RemoteStorage, maxconcurrent int) error {
	rootHash, gen, err := r.GetRootIndex()
	if err != nil {
		return err
	}
	if rootHash == "" && gen == 0 {
		logI.Info.Println("Empty cloud")
		t.Docs = nil
		t.Generation = 0
		return nil
	}

	if rootHash == t.Hash {
		return nil
	}
	logI.Info.Printf("remote root hash different")

	rootIndexReader, err := r.GetReader(rootHash)
	if err != nil {
		return err
	}
	defer rootIndexReader.Close()

	entries, err := parseIndex(rootIndexReader)
	if err != nil {
		return err
	}

	head := make([]*BlobDoc, 0)
	current := make(map[string]*BlobDoc)
	new := make(map[string]*Entry)

	for _, e := range entries {
		new[e.DocumentID] = e
	}
	wg, ctx := errgroup.WithContext(context.TODO())
	wg.SetLimit(maxconcurrent)

	//current documents
	for _, doc := range t.Docs {
		if entry, ok := new[doc.DocumentID]; ok {
			head = append(head, doc)
			current[doc.DocumentID] = doc

			if entry.Hash != doc.Hash {
				logI.Info.Println("doc updated: ", doc.DocumentID)
				e := entry
				d := doc
				wg.Go(func() error {
					return d.Mirror(e, r)
				})
			}
		}
		select {
		case <-ctx.Done():
			goto EXIT
		default:
		}
	}

	//find new entries
	for k, newEntry := range new {
		if _, ok := current[k]; !ok {
			doc := &BlobDoc{}
			logI.Trace.Println("doc new: ", k)
			head = append(head, doc)
			e := newEntry
			wg.Go(func() error {
				return doc.Mirror(e, r)
			})
		}
		select {
		case <-ctx.Done():
			goto EXIT
		default:
		}
	}
EXIT:
	err = wg.Wait()
	if err != nil {
		return err
	}
	sort.Slice(head, func(i, j int) bool { return head[i].DocumentID < head[j].DocumentID })
	t.Docs = head
	t.Generation = gen
	t.Hash = rootHash
	return nil
}

