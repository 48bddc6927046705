package service

import (
	"errors"
	"runtime"
	"sync"

	"example.com/rsyncsidekick/action"
	"example.com/rsyncsidekick/entity"
	"example.com/rsyncsidekick/fmte"
	rsfs "example.com/rsyncsidekick/fs"
	"example.com/rsyncsidekick/lib"
)

// --- minimal stubs (not from the original project) ---
func getParallelism(n int) (int, int) { return n, n }

func buildIndex(baseDirPath string, filesToScan []string, counter *int32,
	filesToDigests *lib.SafeMap[string, entity.FileDigest], digestsToFiles *lib.MultiMap[entity.FileDigest, string]) error {
	return errors.New("stub")
}

func buildIndexWithFS(fsys rsfs.FileSystem, baseDirPath string, filesToScan []string, counter *int32,
	filesToDigests *lib.SafeMap[string, entity.FileDigest], digestsToFiles *lib.MultiMap[entity.FileDigest, string]) error {
	return errors.New("stub")
}

// --- from m-manu/rsync-sidekick service/sync.go: ComputeSyncActionsWithFS, verbatim up to the
// index-error checks; the action computation after them is elided ---
// ComputeSyncActionsWithFS is like ComputeSyncActions but uses the given FileSystems.
// If sourceFS or destFS is nil, local OS calls are used for the respective side.
func ComputeSyncActionsWithFS(sourceFS, destFS rsfs.FileSystem,
	sourceDirPath string, sourceFiles map[string]entity.FileMeta, orphansAtSource []string,
	destinationDirPath string, destinationFiles map[string]entity.FileMeta, candidatesAtDestination []string,
	sourceCounter *int32, destinationCounter *int32,
	copyDuplicates bool, useReflink bool,
) (actions []action.SyncAction, savings int64, err error) {
	orphanFilesToDigests := lib.NewSafeMap[string, entity.FileDigest]()
	candidateFilesToDigests := lib.NewSafeMap[string, entity.FileDigest]()
	orphanDigestsToFiles := lib.NewMultiMap[entity.FileDigest, string]()
	candidateDigestsToFiles := lib.NewMultiMap[entity.FileDigest, string]()
	var sourceIndexErrs, destinationIndexErrs []error
	parallelismForSource, parallelismForDestination := getParallelism(runtime.NumCPU())
	var wg sync.WaitGroup
	wg.Add(parallelismForSource + parallelismForDestination)
	for i := 0; i < parallelismForSource; i++ {
		go func(index int) {
			defer wg.Done()
			low := index * len(orphansAtSource) / parallelismForSource
			high := (index + 1) * len(orphansAtSource) / parallelismForSource
			var sourceIndexErr error
			if sourceFS != nil {
				sourceIndexErr = buildIndexWithFS(sourceFS, sourceDirPath, orphansAtSource[low:high], sourceCounter,
					orphanFilesToDigests, orphanDigestsToFiles)
			} else {
				sourceIndexErr = buildIndex(sourceDirPath, orphansAtSource[low:high], sourceCounter,
					orphanFilesToDigests, orphanDigestsToFiles)
			}
			if sourceIndexErr != nil {
				sourceIndexErrs = append(sourceIndexErrs, sourceIndexErr)
			}
		}(i)
	}
	for i := 0; i < parallelismForDestination; i++ {
		go func(index int) {
			defer wg.Done()
			low := index * len(candidatesAtDestination) / parallelismForDestination
			high := (index + 1) * len(candidatesAtDestination) / parallelismForDestination
			var destinationIndexErr error
			if destFS != nil {
				destinationIndexErr = buildIndexWithFS(destFS, destinationDirPath, candidatesAtDestination[low:high], destinationCounter,
					candidateFilesToDigests, candidateDigestsToFiles)
			} else {
				destinationIndexErr = buildIndex(destinationDirPath, candidatesAtDestination[low:high], destinationCounter,
					candidateFilesToDigests, candidateDigestsToFiles)
			}
			if destinationIndexErr != nil {
				destinationIndexErrs = append(destinationIndexErrs, destinationIndexErr)
			}
		}(i)
	}
	wg.Wait()
	if len(sourceIndexErrs) > 0 {
		return nil, 0, fmte.Errors("error(s) while building index on source directory: ",
			sourceIndexErrs)
	}
	if len(destinationIndexErrs) > 0 {
		return nil, 0, fmte.Errors("error(s) while building index on destination directory: ",
			destinationIndexErrs)
	}
	_ = copyDuplicates
	_ = useReflink
	_ = sourceFiles
	_ = destinationFiles
	return nil, 0, nil
}
