package council

import (
	"context"
	"sync"
	"time"

	"github.com/perushtitsa/council/server/events"
	"github.com/perushtitsa/council/server/model"
)

// VersionsPoll is how often a process reads every council's last seq to learn what other
// processes changed: a page kept ready from before such a change is at most this stale.
const VersionsPoll = time.Second

// versions counts the changes that alter what the public pages of closed rounds and the
// archive show, so that a page kept ready (server/httpapi) can tell whether it is still what a
// fresh rendering would be. A change made by this process counts at once (after its commit);
// one made by another process counts when Sync next reads the councils' last seqs, within
// VersionsPoll. Every counter only grows, so a sum of counters changes whenever one does.
type versions struct {
	mu       sync.Mutex
	total    uint64           // every change counted below
	global   uint64           // people renamed or erased, councils created, records saved
	archive  uint64           // rounds closed or edited, councils renamed
	councils map[int64]uint64 // events about a council's members or settings
	rounds   map[int64]uint64 // events about one round
	seen     map[int64]int64  // each council's last seq as the last poll read it
	polled   time.Time        // when the last poll succeeded (zero: never)
	polling  sync.Mutex       // one poll at a time
	pollErr  error            // the last poll's failure, until one succeeds
	now      func() time.Time // the service's clock, for the polls
	seqs     func(context.Context) (map[int64]int64, error)
}

func newVersions(seqs func(context.Context) (map[int64]int64, error), now func() time.Time) *versions {
	return &versions{councils: map[int64]uint64{}, rounds: map[int64]uint64{}, seen: map[int64]int64{},
		now: now, seqs: seqs}
}

// changed counts committed events.
func (v *versions) changed(evs []model.Event) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.total++
	for _, ev := range evs {
		if ev.RoundID != nil {
			v.rounds[*ev.RoundID]++
		} else {
			v.councils[ev.CouncilID]++
		}
		switch ev.Type {
		case events.RoundClosed, events.RoundUpdated, events.CouncilUpdated:
			v.archive++
		}
	}
}

// roundChanged counts a change to one round made outside its council's record.
func (v *versions) roundChanged(roundID int64) {
	v.mu.Lock()
	v.total++
	v.rounds[roundID]++
	v.mu.Unlock()
}

// changedAll counts a change that may show on any page: a person's new name, a new council.
func (v *versions) changedAll() {
	v.mu.Lock()
	v.total++
	v.global++
	v.mu.Unlock()
}

// sync reads every council's last seq when the last read is older than VersionsPoll, and
// counts a change in each council whose seq moved since. The first read only learns where the
// councils stand, so it must come before any page is kept: Sync answers an error until a read
// has succeeded, and the caller then keeps nothing.
func (v *versions) sync(ctx context.Context) error {
	v.mu.Lock()
	fresh := !v.polled.IsZero() && v.now().Sub(v.polled) < VersionsPoll
	wait := v.polled.IsZero() || v.pollErr != nil
	v.mu.Unlock()
	if fresh {
		return nil
	}
	if wait {
		v.polling.Lock() // nothing to answer with yet: wait for the read
	} else if !v.polling.TryLock() {
		return nil // another request is reading; what is kept is at most a poll older
	}
	defer v.polling.Unlock()
	v.mu.Lock()
	if !v.polled.IsZero() && v.now().Sub(v.polled) < VersionsPoll {
		v.mu.Unlock()
		return nil
	}
	v.mu.Unlock()
	seqs, err := v.seqs(ctx)
	v.mu.Lock()
	defer v.mu.Unlock()
	if err != nil {
		v.pollErr = err
		return err
	}
	first := v.polled.IsZero()
	for id, seq := range seqs {
		old, known := v.seen[id]
		switch {
		case !known && !first:
			v.total++
			v.global++ // a council created elsewhere: the archive's list of councils changed
		case known && old != seq:
			v.total++
			v.councils[id]++
			v.archive++
		}
		v.seen[id] = seq
	}
	v.polled, v.pollErr = v.now(), nil
	return nil
}

func (v *versions) round(councilID, roundID int64) uint64 {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.global + v.councils[councilID] + v.rounds[roundID]
}

func (v *versions) archived() uint64 {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.global + v.archive
}

// SyncVersions learns what other processes changed since the last read, at most once per
// VersionsPoll (a request that finds another one reading goes on with what is known). An
// error means that nothing is known yet: keep no page.
func (s *Service) SyncVersions(ctx context.Context) error { return s.versions.sync(ctx) }

// RoundVersion changes whenever anything a closed round's public page shows may have changed:
// an event about the round or its council, a person's new name, the round's record saved.
// Read it before reading what the page is rendered from.
func (s *Service) RoundVersion(councilID, roundID int64) uint64 {
	return s.versions.round(councilID, roundID)
}

// ArchiveVersion changes whenever the first page of the archive may have changed: a round
// closed or edited, a council created or renamed, a person's new name; or anything at all in
// another process's councils.
func (s *Service) ArchiveVersion() uint64 { return s.versions.archived() }

// Changes counts every change the versions count, whatever it is about: a page whose council
// is not known before it is read is kept only if this did not move while it was rendered.
func (s *Service) Changes() uint64 {
	s.versions.mu.Lock()
	defer s.versions.mu.Unlock()
	return s.versions.total
}
