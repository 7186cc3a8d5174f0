package httpapi

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/perushtitsa/council/server/bytecache"
	"github.com/perushtitsa/council/server/council"
	"github.com/perushtitsa/council/server/model"
)

// DefaultPageCacheBytes bounds the memory the pages kept ready take when the configuration
// sets no bound (Config.PageCacheBytes, the CACHE_MB setting).
const DefaultPageCacheBytes = 64 << 20

// pageMaxAge is how long a page kept ready is served before it is rendered again, whatever
// the versions say: a person's new name made in another process (which no council's record
// counts) shows within it.
const pageMaxAge = time.Minute

// pageCacheControl lets browsers and shared caches keep an anonymous outcome page for a
// minute, then ask again with its ETag.
const pageCacheControl = "public, max-age=60"

// readyBody is an answer kept ready: its bytes, their gzip and brotli copies and its ETag.
type readyBody struct {
	body, gz, br []byte
	etag         string
}

func newReadyBody(body []byte) *readyBody {
	sum := sha256.Sum256(body)
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.DefaultCompression)
	zw.Write(body) // writing to memory does not fail
	zw.Close()
	return &readyBody{body: body, gz: gz.Bytes(), br: council.Brotli(body), etag: `"` + hex.EncodeToString(sum[:16]) + `"`}
}

func (b *readyBody) size() int { return len(b.body) + len(b.gz) + len(b.br) }

// sendReady answers with bytes kept ready: 304 to a client that holds them (If-None-Match),
// else the copy its Accept-Encoding prefers (brotli, gzip, or none), sharing the slices.
func sendReady(c *fiber.Ctx, body, gz, br []byte, etag, cacheControl string) error {
	c.Set(fiber.HeaderETag, etag)
	c.Set(fiber.HeaderCacheControl, cacheControl)
	c.Vary(fiber.HeaderAcceptEncoding)
	if match := c.Get(fiber.HeaderIfNoneMatch); match != "" && etagMatches(match, etag) {
		c.Response().ResetBody()
		return c.SendStatus(fiber.StatusNotModified)
	}
	accept := c.Get(fiber.HeaderAcceptEncoding)
	switch {
	case len(br) > 0 && accepts(accept, "br"):
		c.Set(fiber.HeaderContentEncoding, "br")
		c.Response().SetBodyRaw(br)
	case len(gz) > 0 && accepts(accept, "gzip"):
		c.Set(fiber.HeaderContentEncoding, "gzip")
		c.Response().SetBodyRaw(gz)
	default:
		c.Response().SetBodyRaw(body)
	}
	return nil
}

// pageKey names a page kept ready: a closed round's outcome page (round > 0) or the archive's
// first page (round 0), in one language.
type pageKey struct {
	round int64
	lang  string
}

// pageEntry is a page kept ready, with what tells whether it may still be served.
type pageEntry struct {
	key     pageKey
	ready   *readyBody
	council int64  // the round's council (never changes)
	version uint64 // the version the page was rendered at
	born    time.Time
}

// pageCache keeps the anonymous outcome pages and the archive's first page as bytes, least
// recently used out first once their bytes pass the bound.
type pageCache struct {
	pages *bytecache.Cache[pageKey, *pageEntry]
	now   func() time.Time
}

func newPageCache(limit int) *pageCache {
	if limit <= 0 {
		limit = DefaultPageCacheBytes
	}
	size := func(e *pageEntry) int { return e.ready.size() }
	return &pageCache{pages: bytecache.New[pageKey](limit, size), now: time.Now}
}

// get returns the entry under k, fresh or not, and whether it is young enough to serve.
func (pc *pageCache) get(k pageKey) (*pageEntry, bool) {
	e, ok := pc.pages.Get(k)
	if !ok {
		return nil, false
	}
	return e, pc.now().Sub(e.born) < pageMaxAge
}

// put keeps e, born now, in place of what was under its key (which goes either way) unless
// it would take more than half the cache, evicting the least recently used pages to make room.
func (pc *pageCache) put(e *pageEntry) {
	e.born = pc.now()
	pc.pages.Put(e.key, e)
}

// anonymousLang tells whether the request may be answered with a page kept ready, and in
// which language: an anonymous GET whose query asks for nothing but a language, on the
// canonical path. Signed-in visitors see their own header (and staff more), so their pages stay
// dynamic; so does any other query, which the page's links repeat.
func (s *Server) anonymousLang(c *fiber.Ctx) (string, bool) {
	if s.viewer(c) != nil || (c.Method() != fiber.MethodGet && c.Method() != fiber.MethodHead) {
		return "", false
	}
	q := c.Request().URI().QueryArgs()
	if q.Len() > 1 || (q.Len() == 1 && q.Peek("lang") == nil) {
		return "", false
	}
	return s.lang(c), true
}

// sendPage answers with a page kept ready. A request that chose its language by the query
// also gets the language cookie, so it is not for shared caches.
func (s *Server) sendPage(c *fiber.Ctx, e *pageEntry) error {
	c.Type("html", "utf-8")
	c.Vary(fiber.HeaderCookie)
	cc := pageCacheControl
	if len(c.Request().URI().QueryArgs().Peek("lang")) > 0 {
		cc = "private, no-cache"
	}
	return sendReady(c, e.ready.body, e.ready.gz, e.ready.br, e.ready.etag, cc)
}

// keep takes the page the handler just rendered into the cache and answers with the kept copy.
func (s *Server) keep(c *fiber.Ctx, e *pageEntry) error {
	if c.Method() != fiber.MethodGet {
		return nil // a HEAD answer's body is not the page
	}
	e.ready = newReadyBody(bytes.Clone(c.Response().Body()))
	s.pageCache.put(e)
	return s.sendPage(c, e)
}

// cachedRoundPage serves a closed round's public page from bytes kept ready for anonymous
// visitors, rendering it again when anything it shows has changed since (council.RoundVersion),
// and renders every other round page as before.
func (s *Server) cachedRoundPage(c *fiber.Ctx) error {
	lang, ok := s.anonymousLang(c)
	id, err := strconv.ParseInt(c.Params("round_id"), 10, 64)
	// The page links to itself (the language switch): only the canonical path shares bytes.
	if !ok || err != nil || id <= 0 || c.Path() != "/rounds/"+strconv.FormatInt(id, 10) ||
		s.svc.SyncVersions(c.UserContext()) != nil {
		return s.roundPage(c)
	}
	key := pageKey{round: id, lang: lang}
	old, young := s.pageCache.get(key)
	// The version is read before the page's data: a change committed after it is counted
	// after it too, and the page rendered from older data is then stale, never kept as fresh.
	// Before the first rendering the round's council is not known yet; any change anywhere
	// then stops the page from being kept this time.
	var version, changes uint64
	if old != nil {
		version = s.svc.RoundVersion(old.council, id)
		if young && old.version == version {
			return s.sendPage(c, old)
		}
	} else {
		changes = s.svc.Changes()
	}
	r, err := s.renderRound(c, id)
	if err != nil || r.Status != model.StatusClosed || r.RecordSHA256 == nil || c.Response().StatusCode() != fiber.StatusOK {
		return err
	}
	if old == nil {
		if s.svc.Changes() != changes {
			return nil // something changed while rendering: keep nothing this time
		}
		version = s.svc.RoundVersion(r.CouncilID, id)
	}
	return s.keep(c, &pageEntry{key: key, council: r.CouncilID, version: version})
}

// cachedOutcomesPage serves the archive's first page, without filters, from bytes kept ready
// for anonymous visitors until a round closes or anything it lists changes
// (council.ArchiveVersion); any other archive page is rendered as before.
func (s *Server) cachedOutcomesPage(c *fiber.Ctx) error {
	lang, ok := s.anonymousLang(c)
	if !ok || c.Path() != "/outcomes" || s.svc.SyncVersions(c.UserContext()) != nil {
		return s.outcomesPage(c)
	}
	key := pageKey{lang: lang}
	version := s.svc.ArchiveVersion()
	if old, young := s.pageCache.get(key); old != nil && young && old.version == version {
		return s.sendPage(c, old)
	}
	if err := s.outcomesPage(c); err != nil || c.Response().StatusCode() != fiber.StatusOK {
		return err
	}
	return s.keep(c, &pageEntry{key: key, version: version})
}
