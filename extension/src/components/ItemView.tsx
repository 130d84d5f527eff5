import React, { useEffect, useMemo, useState } from 'react';

import {
  getItem,
  getPreview,
  IDimension,
  IEndpoint,
  IItemDetail,
  IPreview
} from '../api';
import { pythonSnippet } from '../snippet';
import { Status } from './Status';
import { useRemote } from './useRemote';

export interface IItemActions {
  /** Insert `code` as a new cell in the active notebook. */
  insert: (code: string) => void;
  /** Open a new notebook whose first cell is `code`. */
  openNew: (code: string) => void;
  /** Copy `text` to the clipboard. */
  copy: (text: string) => void;
}

function fmt(value: number | string | null | undefined): string {
  if (typeof value === 'number') {
    return Number.isInteger(value) ? String(value) : value.toPrecision(4);
  }
  return value ?? '';
}

function range(d: IDimension): string {
  if (!d.range) {
    return '';
  }
  const [a, b] = d.range.map(v =>
    typeof v === 'string' ? v.slice(0, 10) : fmt(v)
  );
  return a === b ? String(a) : `${a} – ${b}`;
}

/** `value`, once it has stopped changing for `ms` (typing 500 asks for one preview, not 3). */
function useSettled<T>(value: T, ms = 400): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value]);
  return settled;
}

const TIME_AXES = new Set(['time', 'month']);
const Z_AXES = new Set(['depth', 'lev']);

/** The temporal and vertical axes of the variable shown, if it has them. */
function axes(item: IItemDetail, variable: string) {
  const dims = item.variables.find(v => v.name === variable)?.dimensions ?? [];
  const of = (d: IDimension) => dims.length === 0 || dims.includes(d.name);
  return {
    time: item.dimensions.find(
      d => of(d) && (d.type === 'temporal' || TIME_AXES.has(d.name))
    ),
    depth: item.dimensions.find(
      d => of(d) && (d.axis === 'z' || Z_AXES.has(d.name))
    )
  };
}

/** A titled list of name + details rows (variables, dimensions, assets). */
function InfoList(props: {
  label: string;
  rows: { key: string; title: string; meta: string }[];
}): JSX.Element {
  return (
    <>
      <h4>{props.label}</h4>
      <ul className="dtolab-List" aria-label={props.label}>
        {props.rows.map(r => (
          <li key={r.key} className="dtolab-List-item">
            <span className="dtolab-List-title">{r.title}</span>
            <span className="dtolab-List-meta">{r.meta}</span>
          </li>
        ))}
      </ul>
    </>
  );
}

/**
 * One item: what it holds, a server-rendered preview with its colour bar, and actions that
 * hand the user working code.
 */
export function ItemView(props: {
  endpoint: IEndpoint;
  collection: string;
  itemId: string;
  drawnBox: number[] | null;
  onBack: () => void;
  onPreview: (preview: IPreview | null) => void;
  actions: IItemActions;
}): JSX.Element {
  const { endpoint, collection, itemId } = props;
  const item = useRemote(
    () => getItem(endpoint.name, collection, itemId),
    [endpoint.name, collection, itemId]
  );
  const [variable, setVariable] = useState('');
  const [time, setTime] = useState('');
  const [depth, setDepth] = useState('');
  const [useBox, setUseBox] = useState(false);

  const detail = item.data;
  const shown =
    variable || detail?.variable || detail?.variables[0]?.name || '';
  const axis = useMemo(
    () =>
      detail ? axes(detail, shown) : { time: undefined, depth: undefined },
    [detail, shown]
  );
  const box = useBox ? props.drawnBox : null;
  const settledDepth = useSettled(depth);
  const request = {
    variable: shown || undefined,
    time: time || undefined,
    depth: settledDepth === '' ? undefined : Number(settledDepth),
    bbox: box
  };
  const preview = useRemote(
    detail && detail.previewable
      ? () => getPreview(endpoint.name, collection, itemId, request)
      : null,
    [detail, shown, time, settledDepth, box?.join(',')]
  );

  // The map shows the preview too; object URLs are freed when replaced.
  useEffect(() => {
    props.onPreview(preview.data);
    const url = preview.data?.url;
    return () => {
      if (url) {
        URL.revokeObjectURL(url);
      }
    };
  }, [preview.data]);
  useEffect(() => () => props.onPreview(null), []);

  const code = detail ? pythonSnippet(endpoint, detail, request) : '';
  const meta = preview.data?.meta;

  return (
    <section className="dtolab-Item" aria-label="Item">
      <button className="dtolab-Link" onClick={props.onBack}>
        ← Back to results
      </button>
      <Status
        loading={item.loading}
        error={item.error}
        what="the item"
        onRetry={item.reload}
      />
      {detail && (
        <>
          <h3 className="dtolab-Item-title">{detail.title}</h3>
          {detail.description && (
            <p className="dtolab-List-description">{detail.description}</p>
          )}
          <div className="dtolab-Actions">
            <button
              className="jp-mod-styled jp-mod-accept"
              onClick={() => props.actions.insert(code)}
            >
              Insert code
            </button>
            <button
              className="jp-mod-styled"
              onClick={() => props.actions.openNew(code)}
            >
              Open in new notebook
            </button>
            <button
              className="jp-mod-styled"
              disabled={!detail.stac_url}
              onClick={() => props.actions.copy(detail.stac_url ?? '')}
            >
              Copy STAC link
            </button>
          </div>

          {detail.previewable && (
            <fieldset className="dtolab-PreviewControls">
              <legend>Preview</legend>
              <label>
                <span>Variable</span>
                <select
                  value={shown}
                  onChange={e => setVariable(e.target.value)}
                >
                  {detail.variables.map(v => (
                    <option key={v.name} value={v.name}>
                      {v.name}
                      {v.unit ? ` (${v.unit})` : ''}
                    </option>
                  ))}
                </select>
              </label>
              {axis.time && (
                <label>
                  <span>Time</span>
                  {axis.time.values ? (
                    <select
                      value={time}
                      onChange={e => setTime(e.target.value)}
                    >
                      <option value="">first</option>
                      {axis.time.values.map(v => (
                        <option key={String(v)} value={String(v)}>
                          {String(v)}
                        </option>
                      ))}
                    </select>
                  ) : (
                    <input
                      type="date"
                      value={time.slice(0, 10)}
                      min={String(axis.time.range?.[0] ?? '').slice(0, 10)}
                      max={String(axis.time.range?.[1] ?? '').slice(0, 10)}
                      onChange={e =>
                        setTime(
                          e.target.value ? `${e.target.value}T00:00:00Z` : ''
                        )
                      }
                    />
                  )}
                </label>
              )}
              {axis.depth && (
                <label>
                  <span>Depth</span>
                  <input
                    type="number"
                    list="dtolab-depth-levels"
                    placeholder="top"
                    value={depth}
                    onChange={e => setDepth(e.target.value)}
                  />
                  <datalist id="dtolab-depth-levels">
                    {(axis.depth.values ?? []).map(v => (
                      <option key={String(v)} value={String(v)} />
                    ))}
                  </datalist>
                </label>
              )}
              <label className="dtolab-Check">
                <input
                  type="checkbox"
                  checked={useBox}
                  disabled={!props.drawnBox}
                  onChange={e => setUseBox(e.target.checked)}
                />
                <span>Only the drawn box</span>
              </label>
            </fieldset>
          )}
          <Status
            loading={preview.loading}
            error={preview.error}
            what="the preview"
            onRetry={preview.reload}
          />
          {preview.data && meta && (
            <figure className="dtolab-Preview">
              <img
                src={preview.data.url}
                alt={`Preview of ${meta.long_name}`}
                width={meta.width}
                height={meta.height}
              />
              <div
                className="dtolab-Colorbar"
                aria-hidden="true"
                style={{
                  background: `linear-gradient(to right, ${meta.colors.join(', ')})`
                }}
              />
              <figcaption>
                <span>{fmt(meta.vmin)}</span>
                <span>
                  {meta.long_name}
                  {meta.units ? ` (${meta.units})` : ''}
                  {meta.depth !== undefined
                    ? ` at ${fmt(meta.depth)} ${meta.depth_units ?? ''}`
                    : ''}
                  {meta.depth !== undefined &&
                  settledDepth !== '' &&
                  Number(settledDepth) !== meta.depth
                    ? ` (nearest level to ${settledDepth})`
                    : ''}
                  {meta.time !== undefined
                    ? `, ${String(meta.time).slice(0, 10)}`
                    : ''}
                </span>
                <span>{fmt(meta.vmax)}</span>
              </figcaption>
            </figure>
          )}

          <dl className="dtolab-Facts">
            <dt>Collection</dt>
            <dd>
              <code>{detail.collection}</code>
            </dd>
            <dt>Time</dt>
            <dd>
              {(detail.start_datetime ?? detail.datetime ?? '').slice(0, 10)} –{' '}
              {(detail.end_datetime ?? detail.datetime ?? '').slice(0, 10)}
            </dd>
            {detail.resolution && (
              <>
                <dt>Resolution</dt>
                <dd>
                  {fmt(detail.resolution.lon)}° × {fmt(detail.resolution.lat)}°
                </dd>
              </>
            )}
            <dt>Licence</dt>
            <dd>{detail.license ?? 'not stated'}</dd>
            {detail.provenance && (
              <>
                <dt>Provenance</dt>
                <dd>
                  {Object.entries(detail.provenance).map(([k, v]) => (
                    <div key={k}>
                      {k}: {typeof v === 'string' ? v : JSON.stringify(v)}
                    </div>
                  ))}
                </dd>
              </>
            )}
          </dl>

          <InfoList
            label="Variables"
            rows={detail.variables.map(v => ({
              key: v.name,
              title: `${v.name}${v.unit ? ` (${v.unit})` : ''}`,
              meta: `${v.standard_name ?? ''} · ${v.dimensions.join(', ')}`
            }))}
          />
          <InfoList
            label="Dimensions"
            rows={detail.dimensions.map(d => ({
              key: d.name,
              title: d.name,
              meta:
                `${range(d)} ${d.unit ?? ''}` +
                (d.values ? ` (${d.values.length} values)` : '') +
                (d.step ? `, step ${fmt(d.step)}` : '')
            }))}
          />
          <InfoList
            label="Assets"
            rows={detail.assets.map(a => ({
              key: a.key,
              title: `${a.key}${a.layout ? ` · ${a.layout}` : ''}`,
              meta: `${a.note ?? a.title} · ${a.type ?? ''}`
            }))}
          />
        </>
      )}
    </section>
  );
}
