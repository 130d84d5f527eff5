import React, { useEffect, useState } from 'react';

import {
  getCollections,
  getEndpoints,
  IItemSummary,
  IPreview,
  ISearch,
  searchItems
} from '../api';
import { EndpointPicker } from './EndpointPicker';
import { IItemActions, ItemView } from './ItemView';
import { MapView } from './MapView';
import { Status } from './Status';
import { useRemote } from './useRemote';

/** What the user may change in Settings > dtolab (schema/plugin.json). */
export interface ICatalogSettings {
  visibleEndpoints: string[];
  defaultEndpoint: string;
  pageSize: number;
}

export const DEFAULT_SETTINGS: ICatalogSettings = {
  visibleEndpoints: [],
  defaultEndpoint: '',
  pageSize: 20
};

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function itemTime(i: IItemSummary): string {
  const start = (i.start_datetime ?? i.datetime ?? '').slice(0, 10);
  const end = (i.end_datetime ?? i.datetime ?? '').slice(0, 10);
  return start === end ? start : `${start} – ${end}`;
}

function DateField(props: {
  label: string;
  value: string;
  onChange: (value: string) => void;
}): JSX.Element {
  return (
    <label>
      <span>{props.label}</span>
      <input
        type="date"
        value={props.value}
        onChange={e => props.onChange(e.target.value)}
      />
    </label>
  );
}

/** The pages of one search: `more` fetches the next page and appends it. */
function useSearch(endpoint: string | null, search: ISearch | null) {
  const [items, setItems] = useState<IItemSummary[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [matched, setMatched] = useState<number | null>(null);
  // A cursor belongs to the search it came from: a new search starts from the first page.
  const [cursor, setCursor] = useState<{ of: ISearch | null; at: string }>();
  const at = cursor && cursor.of === search ? cursor.at : null;
  const page = useRemote(
    endpoint === null || search === null
      ? null
      : () => searchItems(endpoint, { ...search, cursor: at }),
    [endpoint, search, at]
  );
  useEffect(() => {
    if (page.data) {
      const data = page.data;
      setItems(old => (at === null ? data.items : [...old, ...data.items]));
      setNext(data.next);
      setMatched(data.matched);
    }
  }, [page.data]);
  useEffect(() => {
    setItems([]);
    setNext(null);
  }, [endpoint, search]);
  return {
    page,
    items,
    next,
    matched,
    more: () => next && setCursor({ of: search, at: next })
  };
}

/**
 * The "Ocean data catalog" panel: search by text, collection, time and a box drawn on the map;
 * results with their footprints; an item view with a preview and code to open the data.
 */
export function CatalogPanel(props: {
  settings: ICatalogSettings;
  actions: IItemActions;
}): JSX.Element {
  const { settings } = props;
  const endpoints = useRemote(getEndpoints, []);
  const [chosen, setChosen] = useState<string | null>(null);
  const [query, setQuery] = useState('');
  const [picked, setPicked] = useState<string[]>([]);
  const [start, setStart] = useState('');
  const [end, setEnd] = useState('');
  const [bbox, setBbox] = useState<number[] | null>(null);
  const [search, setSearch] = useState<ISearch | null>(null);
  const [selected, setSelected] = useState<IItemSummary | null>(null);
  const [preview, setPreview] = useState<IPreview | null>(null);

  const visible = (endpoints.data?.endpoints ?? []).filter(
    e =>
      e.stac !== null &&
      (settings.visibleEndpoints.length === 0 ||
        settings.visibleEndpoints.includes(e.name))
  );
  const preferred = [chosen, settings.defaultEndpoint, endpoints.data?.default];
  const name =
    preferred.find(n => n && visible.some(e => e.name === n)) ??
    visible[0]?.name ??
    null;
  const endpoint = visible.find(e => e.name === name) ?? null;

  const collections = useRemote(
    name === null ? null : () => getCollections(name),
    [name]
  );
  const results = useSearch(name, search);

  // A new endpoint starts a new search: nothing of the old one applies.
  useEffect(() => {
    setPicked([]);
    setSelected(null);
    setSearch(name === null ? null : { limit: settings.pageSize });
  }, [name, settings.pageSize]);

  const submit = (box: number[] | null = bbox) => {
    setSelected(null);
    setSearch({
      q: query.trim() || undefined,
      collections: picked.length ? picked : undefined,
      bbox: box,
      start: start || undefined,
      end: end || undefined,
      limit: settings.pageSize
    });
  };

  const footprints = (selected ? [selected] : results.items)
    .filter(i => i.bbox)
    .map(i => ({
      id: i.id,
      bbox: i.bbox as number[],
      label: i.title,
      selected: selected?.id === i.id
    }));

  return (
    <section className="dtolab-Panel" aria-label="Ocean data catalog">
      <h2 className="dtolab-Panel-title">Ocean data catalog</h2>
      <Status
        loading={endpoints.loading}
        error={endpoints.error}
        what="endpoints"
        onRetry={endpoints.reload}
      />
      {endpoints.data && name !== null && endpoint && (
        <>
          <EndpointPicker
            endpoints={visible}
            value={name}
            service="stac"
            onChange={setChosen}
          />
          <form
            className="dtolab-Search"
            role="search"
            onSubmit={event => {
              event.preventDefault();
              submit();
            }}
          >
            <input
              type="search"
              aria-label="Search datasets"
              placeholder="Search datasets"
              value={query}
              onChange={event => setQuery(event.target.value)}
            />
            <button className="jp-mod-styled" type="submit">
              Search
            </button>
          </form>
          <details className="dtolab-Filters">
            <summary>
              Filters
              {picked.length || start || end
                ? ` (${[picked.length ? plural(picked.length, 'collection') : '', start || end ? 'time' : ''].filter(Boolean).join(', ')})`
                : ''}
            </summary>
            <fieldset className="dtolab-Collections">
              <legend>Collections</legend>
              <Status
                loading={collections.loading}
                error={collections.error}
                what="collections"
                onRetry={collections.reload}
              />
              {collections.data?.collections.map(c => (
                <label
                  key={c.id}
                  className="dtolab-Check"
                  title={c.description}
                >
                  <input
                    type="checkbox"
                    checked={picked.includes(c.id)}
                    onChange={e =>
                      setPicked(p =>
                        e.target.checked
                          ? [...p, c.id]
                          : p.filter(x => x !== c.id)
                      )
                    }
                  />
                  <span>{c.title}</span>
                </label>
              ))}
            </fieldset>
            <fieldset className="dtolab-Time">
              <legend>Time range</legend>
              <DateField label="From" value={start} onChange={setStart} />
              <DateField label="To" value={end} onChange={setEnd} />
            </fieldset>
            <button className="jp-mod-styled" onClick={() => submit()}>
              Apply filters
            </button>
          </details>
          <MapView
            footprints={footprints}
            onSelect={id =>
              setSelected(results.items.find(i => i.id === id) ?? null)
            }
            bbox={bbox}
            onBboxChange={box => {
              setBbox(box);
              if (!selected) {
                submit(box);
              }
            }}
            overlay={
              preview ? { url: preview.url, bbox: preview.meta.bbox } : null
            }
          />
          {selected ? (
            <ItemView
              endpoint={endpoint}
              collection={selected.collection}
              itemId={selected.id}
              drawnBox={bbox}
              onBack={() => setSelected(null)}
              onPreview={setPreview}
              actions={props.actions}
            />
          ) : (
            <>
              <Status
                loading={results.page.loading}
                error={results.page.error}
                what="results"
                onRetry={results.page.reload}
              />
              <p className="dtolab-Count" aria-live="polite">
                {results.items.length > 0
                  ? `${plural(results.items.length, 'item')}${
                      results.matched !== null ? ` of ${results.matched}` : ''
                    }`
                  : results.page.data && !results.page.loading
                    ? 'No item matches.'
                    : ''}
              </p>
              <ul className="dtolab-List" aria-label="Results">
                {results.items.map(i => (
                  <li
                    key={`${i.collection}/${i.id}`}
                    className="dtolab-List-item"
                  >
                    <button
                      className="dtolab-Result"
                      onClick={() => setSelected(i)}
                    >
                      <span className="dtolab-List-title">{i.title}</span>
                      <span className="dtolab-List-meta">
                        <code>{i.collection}</code> {itemTime(i)}
                      </span>
                    </button>
                  </li>
                ))}
              </ul>
              {results.next && !results.page.loading && (
                <button className="jp-mod-styled" onClick={results.more}>
                  Load more
                </button>
              )}
            </>
          )}
        </>
      )}
    </section>
  );
}
