import React, { useState } from 'react';

import { getCollections, getEndpoints, ICollectionSummary } from '../api';
import { EndpointPicker } from './EndpointPicker';
import { Status } from './Status';
import { useRemote } from './useRemote';

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function timeRange(c: ICollectionSummary): string {
  if (!c.interval) {
    return '';
  }
  const [start, end] = c.interval.map(t => (t ? t.slice(0, 10) : '…'));
  return `${start} – ${end}`;
}

/**
 * The "Ocean data catalog" panel: collections of the selected endpoint, with a text filter.
 */
export function CatalogPanel(): JSX.Element {
  const endpoints = useRemote(getEndpoints, []);
  const [chosen, setChosen] = useState<string | null>(null);
  const [query, setQuery] = useState('');
  const [submitted, setSubmitted] = useState('');
  const name = chosen ?? endpoints.data?.default ?? null;
  const collections = useRemote(
    name === null ? null : () => getCollections(name, submitted),
    [name, submitted]
  );

  return (
    <section className="dtolab-Panel" aria-label="Ocean data catalog">
      <h2 className="dtolab-Panel-title">Ocean data catalog</h2>
      <Status
        loading={endpoints.loading}
        error={endpoints.error}
        what="endpoints"
        onRetry={endpoints.reload}
      />
      {endpoints.data && name !== null && (
        <>
          <EndpointPicker
            endpoints={endpoints.data.endpoints}
            value={name}
            service="stac"
            onChange={setChosen}
          />
          <form
            className="dtolab-Search"
            role="search"
            onSubmit={event => {
              event.preventDefault();
              setSubmitted(query.trim());
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
          <Status
            loading={collections.loading}
            error={collections.error}
            what="collections"
            onRetry={collections.reload}
          />
          {collections.data && (
            <>
              <p className="dtolab-Count" aria-live="polite">
                {collections.data.collections.length === 0
                  ? 'No collection matches.'
                  : plural(collections.data.collections.length, 'collection')}
              </p>
              <ul className="dtolab-List" aria-label="Collections">
                {collections.data.collections.map(c => (
                  <li
                    key={c.id}
                    className="dtolab-List-item"
                    title={c.description}
                  >
                    <span className="dtolab-List-title">{c.title}</span>
                    <span className="dtolab-List-meta">
                      <code>{c.id}</code> {timeRange(c)}
                    </span>
                  </li>
                ))}
              </ul>
            </>
          )}
        </>
      )}
    </section>
  );
}
