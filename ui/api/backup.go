package api

import (
	"github.com/coopledger/coopledger/ledger/store"
	"github.com/coopledger/coopledger/ui/web"
	"github.com/gofiber/fiber/v2"
)

// Backup answers GET /backup (admin): a consistent snapshot of the store
// file, taken while the server serves, as a download named
// coopledger-YYYYMMDD-HHMMSS.db (UTC). The snapshot is held in memory while
// it is sent, as many bytes as the store file (store.DB.BackupBytes says
// why: a read transaction held for the length of a slow download would
// stall writes once the file needs to grow). That is fine for a co-op's
// books, tens of megabytes; a far larger file would want a temporary file
// streamed with SendStream instead.
func (h Handlers) Backup(c *fiber.Ctx) error {
	b, err := h.DB.BackupBytes(web.MustActor(c))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, fiber.MIMEOctetStream)
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+store.BackupName(h.DB.Now())+`"`)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Send(b)
}
