package scheduler

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strings"
)

// assetNamePattern admits the lake's table names ("bronze/transactions")
// as asset names, as well as topic names.
var assetNamePattern = regexp.MustCompile(`^[A-Za-z0-9_.:/-]{1,200}$`)

// reservedAssetNames cannot name an asset: the REST API's
// /api/v1/assets/{name} could not reach it. GET /api/v1/assets/events lists
// the asset events (Airflow 3's path), and clients resolve "." and ".."
// path segments before they are sent.
var reservedAssetNames = map[string]string{
	"events": "GET /api/v1/assets/events lists the asset events",
	".":      "a URL path segment of '.' means the current directory",
	"..":     "a URL path segment of '..' means the parent directory",
}

// reservedAssetName explains why name is reserved ("" when it is not).
func reservedAssetName(name string) string {
	why, ok := reservedAssetNames[name]
	if !ok {
		return ""
	}
	return fmt.Sprintf("asset name %q is reserved (%s, so GET /api/v1/assets/%s could not fetch the asset); choose another name", name, why, name)
}

// topicPattern is Kafka's rule for topic names.
var topicPattern = regexp.MustCompile(`^[A-Za-z0-9._-]{1,249}$`)

// KafkaURI is the URI of a Kafka topic asset: kafka://<topic>. The
// deployment's Kafka watcher reads the topic's end offsets from it.
func KafkaURI(topic string) string { return "kafka://" + topic }

// TopicOf returns the topic a Kafka topic asset's URI names.
func TopicOf(a Asset) (string, error) {
	u, err := url.Parse(a.URI)
	if err != nil || u.Scheme != "kafka" || u.Host == "" || (u.Path != "" && u.Path != "/") || !topicPattern.MatchString(u.Host) {
		return "", fmt.Errorf("%w: asset %q: a Kafka topic's URI is kafka://<topic>, not %q", ErrInvalid, a.Name, a.URI)
	}
	return u.Host, nil
}

// AddAsset registers an asset that DAGs may be scheduled on
// (DAGOptions.Assets) and tasks may emit (TaskOptions.Outlets). A Kafka
// topic's URI defaults to kafka://<name>. Names are unique; a bad name,
// kind or URI is ErrInvalid, and so is a reserved name ("events", "."
// and "..": the REST API could not fetch such an asset by name).
func (r *Registry) AddAsset(a Asset) error {
	if !assetNamePattern.MatchString(a.Name) {
		return fmt.Errorf("%w: asset name %q: use 1-200 letters, digits, '_', '.', ':', '/', '-'", ErrInvalid, a.Name)
	}
	if why := reservedAssetName(a.Name); why != "" {
		return fmt.Errorf("%w: %s", ErrInvalid, why)
	}
	switch a.Kind {
	case AssetKafkaTopic:
		if a.URI == "" {
			a.URI = KafkaURI(a.Name)
		}
		if _, err := TopicOf(a); err != nil {
			return err
		}
	case AssetDeltaTable:
	default:
		return fmt.Errorf("%w: asset %q: unknown kind %q (want %s or %s)", ErrInvalid, a.Name, a.Kind, AssetKafkaTopic, AssetDeltaTable)
	}
	if _, dup := r.assets[a.Name]; dup {
		return fmt.Errorf("%w: duplicate asset %q", ErrInvalid, a.Name)
	}
	r.assets[a.Name] = a
	return nil
}

// Asset returns the registered asset of that name.
func (r *Registry) Asset(name string) (Asset, bool) {
	a, ok := r.assets[name]
	return a, ok
}

// Assets returns every registered asset sorted by name.
func (r *Registry) Assets() []Asset {
	out := make([]Asset, 0, len(r.assets))
	for _, a := range r.assets {
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Validate checks what NewRegistry cannot, since assets are added after
// the DAGs: that every asset a DAG is scheduled on and every outlet names
// a registered asset. SyncDAGs (so Scheduler.Start) runs it, so a typo in
// an asset name fails at registration, not silently at run time.
func (r *Registry) Validate() error {
	var errs []error
	for _, d := range r.DAGs() {
		for _, name := range d.Opts.Assets {
			if _, ok := r.assets[name]; !ok {
				errs = append(errs, fmt.Errorf("DAG %q is scheduled on unknown asset %q%s", d.ID, name, reservedHint(name)))
			}
		}
		for _, t := range d.Tasks() {
			for _, name := range t.Opts.Outlets {
				if _, ok := r.assets[name]; !ok {
					errs = append(errs, fmt.Errorf("DAG %q task %q has unknown outlet asset %q%s", d.ID, t.ID, name, reservedHint(name)))
				}
			}
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return fmt.Errorf("%w: %w (register assets with Registry.AddAsset; known: %s)", ErrInvalid, errors.Join(errs...),
		strings.Join(r.assetNames(), ", "))
}

// reservedHint says, after "unknown asset", why no asset can have a
// reserved name.
func reservedHint(name string) string {
	if why := reservedAssetName(name); why != "" {
		return ": " + why
	}
	return ""
}

func (r *Registry) assetNames() []string {
	var names []string
	for _, a := range r.Assets() {
		names = append(names, a.Name)
	}
	if names == nil {
		return []string{"none"}
	}
	return names
}
