package clean

import (
	"github.com/finpipe/finpipe/delta"
	"github.com/finpipe/finpipe/tasks/lake"
	"github.com/finpipe/finpipe/tasks/record"
)

// silverRows builds Silver rows, boxing the values that repeat across a
// batch once (see lake.Cells and friends).
type silverRows struct {
	cells          *lake.Cells
	strs           lake.StringBoxes
	ingested, date lake.TimeBox
}

func newSilverRows(n int) silverRows {
	return silverRows{cells: lake.NewCells(lake.SilverEventDate+1, n), strs: lake.StringBoxes{}}
}

// row is the Silver row of an accepted transaction read from src.
func (s *silverRows) row(t *record.Transaction, src bronzeRecord) delta.Row {
	r := s.cells.Row()
	r[lake.SilverTransactionID] = t.TransactionID
	r[lake.SilverUserID] = t.UserID
	r[lake.SilverAmount] = t.Amount
	r[lake.SilverCurrency] = s.strs.Box(t.Currency)
	r[lake.SilverMerchant] = s.optional(t.Merchant)
	r[lake.SilverCategory] = s.optional(t.Category)
	r[lake.SilverCountry] = s.optional(t.Country)
	r[lake.SilverPaymentMethod] = s.optional(t.PaymentMethod)
	r[lake.SilverStatus] = s.strs.Box(t.Status)
	r[lake.SilverEventTime] = t.EventTime
	r[lake.SilverKafkaPartition] = src.partition
	r[lake.SilverKafkaOffset] = src.offset
	r[lake.SilverIngestedAt] = s.ingested.Box(src.ingestedAt)
	r[lake.SilverEventDate] = s.date.Box(lake.Date(t.EventTime))
	return r
}

// optional stores an absent optional attribute as null. The attributes
// (merchant, category, country, payment method) come from small sets, so
// they are boxed once each.
func (s *silverRows) optional(v string) any {
	if v == "" {
		return nil
	}
	return s.strs.Box(v)
}
