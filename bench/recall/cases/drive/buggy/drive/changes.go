package drive

import (
	"errors"
	"fmt"
	"sync"
)

// --- minimal stubs (not from the original project) ---
var (
	ErrClashesDetected = errors.New("clashes detected")
	ErrPathNotExists   = errors.New("path not exists")
)

type File struct{ Name string }

type Change struct {
	Path string
	Src  *File
}

type dirList struct {
	remote *File
	local  *File
}

func (d *dirList) Name() string { return d.remote.Name }

type changeListResolve struct {
	push                        bool
	dir, localBase, remoteBase  string
	remote, local               *File
	depth                       int
}

type logger struct{}

func (logger) LogErrf(format string, a ...interface{}) { fmt.Printf(format, a...) }

type Commands struct {
	log      logger
	children func(clr *changeListResolve) []*dirList
}

func remotePathJoin(a, b string) string { return a + "/" + b }

// --- from odeke-em/drive src/changes.go ---
type changeSliceArg struct {
	clashesMap                map[int][]*Change
	id                        int
	wg                        *sync.WaitGroup
	depth                     int
	push                      bool
	localParent, remoteParent string
	dirList                   []*dirList
	changeListPtr             *[]*Change
}

// resolveChangeListRecv: the first part (this node's own change, listing and merging the
// children into dirlist) is elided; from "Arbitrary value" to the end it is verbatim.
func (g *Commands) resolveChangeListRecv(clr *changeListResolve) (cl, clashes []*Change, err error) {
	dirlist := g.children(clr)
	remoteTraversalDepth := clr.depth - 1

	// Arbitrary value. TODO: Calibrate or calculate this value
	chunkSize := 100
	srcLen := len(dirlist)
	chunkCount, remainder := srcLen/chunkSize, srcLen%chunkSize
	i := 0

	if remainder != 0 {
		chunkCount += 1
	}

	var wg sync.WaitGroup
	wg.Add(chunkCount)

	clashesMap := make(map[int][]*Change)

	for j := 0; j < chunkCount; j += 1 {
		end := i + chunkSize
		if end >= srcLen {
			end = srcLen
		}

		cslArgs := changeSliceArg{
			id:            j,
			wg:            &wg,
			push:          clr.push,
			dirList:       dirlist[i:end],
			remoteParent:  clr.remoteBase,
			localParent:   clr.localBase,
			depth:         remoteTraversalDepth,
			changeListPtr: &cl,
			clashesMap:    clashesMap,
		}

		go g.changeSlice(&cslArgs)

		i += chunkSize
	}

	wg.Wait()

	for _, cclashes := range clashesMap {
		clashes = append(clashes, cclashes...)
	}

	if len(clashes) >= 1 {
		err = ErrClashesDetected
	}

	return cl, clashes, err
}

func (g *Commands) changeSlice(cslArg *changeSliceArg) {
	cl := cslArg.changeListPtr
	id := cslArg.id
	wg := cslArg.wg
	push := cslArg.push
	dlist := cslArg.dirList
	clashesMap := cslArg.clashesMap

	defer wg.Done()
	for _, l := range dlist {
		// Avoiding path.Join which normalizes '/+' to '/'
		localBase := remotePathJoin(cslArg.localParent, l.Name())
		remoteBase := remotePathJoin(cslArg.remoteParent, l.Name())

		clr := &changeListResolve{
			push:       push,
			dir:        cslArg.localParent,
			localBase:  localBase,
			remoteBase: remoteBase,
			remote:     l.remote,
			local:      l.local,
			depth:      cslArg.depth,
		}

		childChanges, childClashes, cErr := g.resolveChangeListRecv(clr)
		if cErr == nil {
			*cl = append(*cl, childChanges...)
			continue
		}

		if cErr == ErrClashesDetected {
			clashesMap[id] = childClashes
			continue
		} else if cErr != ErrPathNotExists {
			g.log.LogErrf("%s: %v\n", localBase, cErr)
			break
		}
	}
}
