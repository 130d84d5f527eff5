import type { MultiPolygon, Position } from 'geojson';
import React, { useEffect, useRef, useState } from 'react';
import * as L from 'leaflet';
import { feature } from 'topojson-client';
// Natural Earth 1:110m land, bundled at build time: the map needs no tile server.
import land110m from 'world-atlas/land-110m.json';

/** One search result drawn on the map. `bbox` is [west, south, east, north] in degrees. */
export interface IFootprint {
  id: string;
  bbox: number[];
  label: string;
  selected?: boolean;
}

export interface IMapViewProps {
  /** Drawn as rectangles; the selected one is highlighted; clicking one calls `onSelect`. */
  footprints: IFootprint[];
  onSelect?: (id: string) => void;
  /** The search box, [west, south, east, north], drawn dashed; null when none. */
  bbox: number[] | null;
  /** Called with a newly drawn box (2 decimals, clamped to the world) or null when cleared. */
  onBboxChange: (bbox: number[] | null) => void;
  /** A preview image (lat/lon equirectangular, e.g. a PNG object URL) placed over its bbox. */
  overlay?: { url: string; bbox: number[] } | null;
  /** Height of the map in pixels; 180 by default. */
  height?: number;
}

type Topology = Parameters<typeof feature>[0];

const WORLD = L.latLngBounds([-90, -180], [90, 180]);
// Selecting a small footprint should show where it is, not fill the panel with empty sea.
const SELECTION_MAX_ZOOM = 4;

/** [west, south, east, north] of a 2D or 3D (STAC) bbox, or null if it is not one. */
function bbox2d(bbox: number[]): number[] | null {
  const b = bbox.length === 6 ? [bbox[0], bbox[1], bbox[3], bbox[4]] : bbox;
  return b.length === 4 && b.every(Number.isFinite) ? b : null;
}

/** Leaflet bounds of a bbox; one crossing the antimeridian (west > east) gives two. */
function boundsOf(bbox: number[]): L.LatLngBounds[] {
  const b = bbox2d(bbox);
  if (!b) {
    return [];
  }
  const [west, south, east, north] = b;
  if (west <= east) {
    return [L.latLngBounds([south, west], [north, east])];
  }
  return [
    L.latLngBounds([south, west], [north, 180]),
    L.latLngBounds([south, -180], [north, east])
  ];
}

/** A ring with its longitudes made continuous: a step of more than 180° goes the short way. */
function unwrap(ring: Position[]): Position[] {
  let shift = 0;
  return ring.map(([lon, lat], i) => {
    const step = i > 0 ? lon - ring[i - 1][0] : 0;
    shift += step > 180 ? -360 : step < -180 ? 360 : 0;
    return [lon + shift, lat];
  });
}

/** The part of a ring east (`keepEast`) or west of a meridian (Sutherland-Hodgman, one edge). */
function clipAt(ring: Position[], lon: number, keepEast: boolean): Position[] {
  const inside = (p: Position) => (keepEast ? p[0] >= lon : p[0] <= lon);
  const out: Position[] = [];
  ring.forEach((p, i) => {
    const q = ring[(i + 1) % ring.length];
    if (inside(p)) {
      out.push(p);
    }
    if (inside(p) !== inside(q)) {
      out.push([lon, p[1] + ((lon - p[0]) / (q[0] - p[0])) * (q[1] - p[1])]);
    }
  });
  return out;
}

/**
 * Natural Earth land as planar lon/lat polygons. world-atlas joins the pieces on either side of
 * the antimeridian (Fiji, Chukotka, Antarctica) into rings that jump 360°, which d3's spherical
 * renderer handles but a flat map draws as stripes across the world: each such ring is made
 * continuous, closed along the pole if it circles one, and cut back into -180..180.
 */
function landPolygons(): MultiPolygon {
  const topology = land110m as unknown as Topology;
  const land = feature(topology, topology.objects.land);
  const rings = ('features' in land ? land.features : [land]).flatMap(f =>
    f.geometry.type === 'Polygon'
      ? f.geometry.coordinates
      : f.geometry.type === 'MultiPolygon'
        ? f.geometry.coordinates.flat()
        : []
  );
  const pieces = rings.flatMap(ring => {
    const u = unwrap(ring);
    const first = u[0];
    const last = u[u.length - 1];
    if (Math.abs(last[0] - first[0]) > 180) {
      const pole = first[1] < 0 ? -90 : 90;
      u.push([last[0], pole], [first[0], pole]);
    }
    return [-360, 0, 360]
      .map(shift => u.map(([lon, lat]) => [lon + shift, lat]))
      .map(r => clipAt(clipAt(r, -180, true), 180, false))
      .filter(r => r.length >= 3);
  });
  // Each ring becomes its own polygon: Leaflet fills with the even-odd rule, so lakes and
  // inland seas (holes) still show as holes without keeping track of which ring they belong to.
  return { type: 'MultiPolygon', coordinates: pieces.map(r => [r]) };
}

function clamp(value: number, limit: number): number {
  return Math.round(Math.min(limit, Math.max(-limit, value)) * 100) / 100;
}

/**
 * A small lat/lon map (EPSG:4326, so an equirectangular image overlay aligns exactly) showing
 * result footprints, the search box and a preview image, with buttons to draw or clear the box.
 */
export function MapView(props: IMapViewProps): JSX.Element {
  const containerRef = useRef<HTMLDivElement>(null);
  const [map, setMap] = useState<L.Map | null>(null);
  const [drawing, setDrawing] = useState(false);
  // Callbacks are read through refs so that a new function identity on every parent render
  // does not rebuild layers or re-bind handlers.
  const onSelectRef = useRef(props.onSelect);
  const onBboxChangeRef = useRef(props.onBboxChange);
  const drawingRef = useRef(drawing);
  onSelectRef.current = props.onSelect;
  onBboxChangeRef.current = props.onBboxChange;
  drawingRef.current = drawing;

  // The Leaflet map is created once and removed on unmount.
  useEffect(() => {
    const container = containerRef.current!;
    const m = L.map(container, {
      crs: L.CRS.EPSG4326,
      // At zoom 0 the EPSG:4326 world is 512 px wide; a narrow side panel needs fractional
      // zooms below that to show it whole.
      zoomSnap: 0.25,
      zoomDelta: 0.5,
      minZoom: -2,
      maxZoom: 10,
      maxBounds: WORLD.pad(0.25),
      attributionControl: false
    });
    // Land sits in its own pane below the image overlay, which sits below the rectangles.
    m.createPane('dtolab-land').style.zIndex = '200';
    m.createPane('dtolab-image').style.zIndex = '300';
    L.geoJSON(landPolygons(), {
      pane: 'dtolab-land',
      interactive: false,
      style: { className: 'dtolab-Map-land' }
    }).addTo(m);

    // A side panel is often hidden (zero size) when the map is created: fit the world once it
    // first has a size, and keep Leaflet's idea of the size current as the panel is resized.
    let fitted = false;
    const fitWorldOnce = () => {
      if (!fitted && container.clientWidth > 0 && container.clientHeight > 0) {
        m.fitBounds(WORLD);
        fitted = true;
      }
    };
    m.setView([0, 0], 0);
    fitWorldOnce();
    const observer = new ResizeObserver(() => {
      m.invalidateSize();
      fitWorldOnce();
    });
    observer.observe(container);
    setMap(m);
    return () => {
      observer.disconnect();
      m.remove();
      setMap(null);
    };
  }, []);

  // Footprints, rebuilt when the list changes; the selected one is drawn last, on top.
  useEffect(() => {
    if (!map) {
      return;
    }
    const group = L.featureGroup();
    const ordered = [...props.footprints].sort(
      (a, b) => Number(!!a.selected) - Number(!!b.selected)
    );
    for (const fp of ordered) {
      for (const bounds of boundsOf(fp.bbox)) {
        L.rectangle(bounds, {
          className: fp.selected
            ? 'dtolab-Map-footprint dtolab-Map-selected'
            : 'dtolab-Map-footprint'
        })
          .bindTooltip(fp.label, { sticky: true })
          .on('click', () => {
            // A press on a footprint while drawing starts a box; it does not select.
            if (!drawingRef.current) {
              onSelectRef.current?.(fp.id);
            }
          })
          .addTo(group);
      }
    }
    group.addTo(map);
    return () => {
      group.remove();
    };
  }, [map, props.footprints]);

  // Fit to the selected footprint only when the selection changes, so that a new page of
  // results or a re-render does not move the view under the user.
  const selected = props.footprints.find(fp => fp.selected);
  const selectedKey = selected
    ? `${selected.id} ${selected.bbox.join(',')}`
    : '';
  useEffect(() => {
    if (!map || !selected) {
      return;
    }
    const parts = boundsOf(selected.bbox);
    if (parts.length > 0) {
      const corners = parts.flatMap(b => [b.getSouthWest(), b.getNorthEast()]);
      map.fitBounds(L.latLngBounds(corners), {
        padding: [16, 16],
        maxZoom: SELECTION_MAX_ZOOM
      });
    }
    // `selected` is keyed by `selectedKey`: a new object with the same id and box is no change.
  }, [map, selectedKey]);

  // The search box.
  const bboxKey = props.bbox ? props.bbox.join(',') : '';
  useEffect(() => {
    if (!map || !props.bbox) {
      return;
    }
    const group = L.layerGroup(
      boundsOf(props.bbox).map(b =>
        L.rectangle(b, { className: 'dtolab-Map-box', interactive: false })
      )
    ).addTo(map);
    return () => {
      group.remove();
    };
  }, [map, bboxKey]);

  // The preview image.
  const overlayUrl = props.overlay?.url;
  const overlayKey = props.overlay ? props.overlay.bbox.join(',') : '';
  useEffect(() => {
    const b = props.overlay ? bbox2d(props.overlay.bbox) : null;
    if (!map || !overlayUrl || !b) {
      return;
    }
    const [west, south, east, north] = b;
    // One image cannot be split at the antimeridian: one crossing it extends east past 180°.
    const image = L.imageOverlay(
      overlayUrl,
      [
        [south, west],
        [north, west <= east ? east : east + 360]
      ],
      { pane: 'dtolab-image', className: 'dtolab-Map-image' }
    ).addTo(map);
    return () => {
      image.remove();
    };
  }, [map, overlayUrl, overlayKey]);

  // Drawing: press, drag and release on the map while "Draw box" is pressed.
  useEffect(() => {
    if (!map || !drawing) {
      return;
    }
    const container = map.getContainer();
    let start: L.LatLng | null = null;
    let preview: L.Rectangle | null = null;

    const corners = (event: PointerEvent): L.LatLngBounds =>
      L.latLngBounds(start!, map.mouseEventToLatLng(event));

    const onDown = (event: PointerEvent) => {
      // The zoom buttons live inside the map container and must keep working.
      const target = event.target as Element;
      if (event.button !== 0 || target.closest('.leaflet-control')) {
        return;
      }
      // Keep Leaflet (dragging, box zoom) and the browser (text selection) out of the draw.
      event.preventDefault();
      event.stopPropagation();
      container.setPointerCapture(event.pointerId);
      start = map.mouseEventToLatLng(event);
      preview = L.rectangle(L.latLngBounds(start, start), {
        className: 'dtolab-Map-box',
        interactive: false
      }).addTo(map);
    };
    const onMove = (event: PointerEvent) => {
      if (start && preview) {
        preview.setBounds(corners(event));
      }
    };
    const onUp = (event: PointerEvent) => {
      if (!start) {
        return;
      }
      const bounds = corners(event);
      start = null;
      preview?.remove();
      preview = null;
      const box = [
        clamp(bounds.getWest(), 180),
        clamp(bounds.getSouth(), 90),
        clamp(bounds.getEast(), 180),
        clamp(bounds.getNorth(), 90)
      ];
      // A click without a drag (or a drag entirely off the world) is not a box.
      if (box[0] < box[2] && box[1] < box[3]) {
        onBboxChangeRef.current(box);
        setDrawing(false);
      }
    };

    map.dragging.disable();
    map.boxZoom.disable();
    // Capture phase: the press must reach us before Leaflet's handlers on layers below.
    container.addEventListener('pointerdown', onDown, true);
    container.addEventListener('pointermove', onMove);
    container.addEventListener('pointerup', onUp);
    container.addEventListener('pointercancel', onUp);
    return () => {
      container.removeEventListener('pointerdown', onDown, true);
      container.removeEventListener('pointermove', onMove);
      container.removeEventListener('pointerup', onUp);
      container.removeEventListener('pointercancel', onUp);
      preview?.remove();
      map.dragging.enable();
      map.boxZoom.enable();
    };
  }, [map, drawing]);

  const bboxText = props.bbox
    ? props.bbox.map(v => v.toFixed(2)).join(', ')
    : 'none';
  return (
    <div className={'dtolab-Map' + (drawing ? ' dtolab-mod-drawing' : '')}>
      <div className="dtolab-Map-toolbar">
        <button
          type="button"
          className="jp-mod-styled"
          aria-pressed={drawing}
          title="Press, drag and release on the map to draw the search box"
          onClick={() => setDrawing(!drawing)}
        >
          Draw box
        </button>
        <button
          type="button"
          className="jp-mod-styled"
          disabled={!props.bbox}
          onClick={() => {
            setDrawing(false);
            props.onBboxChange(null);
          }}
        >
          Clear box
        </button>
        <span
          className="dtolab-Map-bboxText"
          title="west, south, east, north"
          aria-live="polite"
        >
          Box: {bboxText}
        </span>
      </div>
      <div
        ref={containerRef}
        // Leaflet adds its own classes here: React must never re-render this className.
        className="dtolab-Map-canvas"
        role="application"
        aria-label="Search area map"
        style={{ height: props.height ?? 180 }}
      />
    </div>
  );
}
