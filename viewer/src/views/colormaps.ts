// Colormaps for depth and other scalar images (Colormap codes of docs/components.md), as
// piecewise-linear ramps through published control points of each map.
import * as C from '../data/components.generated';

type Ramp = readonly (readonly [number, number, number])[];

const kTurbo: Ramp = [
  [48, 18, 59],
  [70, 107, 227],
  [40, 187, 236],
  [49, 242, 153],
  [162, 252, 60],
  [237, 208, 58],
  [251, 128, 34],
  [208, 47, 5],
  [122, 4, 3],
];
const kViridis: Ramp = [
  [68, 1, 84],
  [72, 40, 120],
  [62, 74, 137],
  [49, 104, 142],
  [38, 130, 142],
  [31, 158, 137],
  [53, 183, 121],
  [109, 205, 89],
  [180, 222, 44],
  [253, 231, 37],
];
const kInferno: Ramp = [
  [0, 0, 4],
  [40, 11, 84],
  [101, 21, 110],
  [159, 42, 99],
  [212, 72, 66],
  [245, 125, 21],
  [250, 193, 39],
  [252, 255, 164],
];
const kMagma: Ramp = [
  [0, 0, 4],
  [28, 16, 68],
  [79, 18, 123],
  [129, 37, 129],
  [181, 54, 122],
  [229, 80, 100],
  [251, 135, 97],
  [254, 194, 135],
  [252, 253, 191],
];
const kPlasma: Ramp = [
  [13, 8, 135],
  [84, 2, 163],
  [139, 10, 165],
  [185, 50, 137],
  [219, 92, 104],
  [244, 136, 73],
  [254, 188, 43],
  [240, 249, 33],
];
const kCyanToYellow: Ramp = [
  [0, 255, 255],
  [128, 255, 128],
  [255, 255, 0],
];
const kGray: Ramp = [
  [0, 0, 0],
  [255, 255, 255],
];

const kRamps: Record<number, Ramp> = {
  [C.Colormap.Grayscale]: kGray,
  [C.Colormap.Inferno]: kInferno,
  [C.Colormap.Magma]: kMagma,
  [C.Colormap.Plasma]: kPlasma,
  [C.Colormap.Turbo]: kTurbo,
  [C.Colormap.Viridis]: kViridis,
  [C.Colormap.CyanToYellow]: kCyanToYellow,
};

/** The color of t in [0, 1] (clamped) on a colormap; unknown maps are Turbo. */
export function colormap(code: number, t: number): [number, number, number] {
  const ramp = kRamps[code] ?? kTurbo;
  const f = Math.max(0, Math.min(1, t)) * (ramp.length - 1);
  const k = Math.min(ramp.length - 2, Math.floor(f));
  const w = f - k;
  return [0, 1, 2].map((c) => Math.round(ramp[k][c] * (1 - w) + ramp[k + 1][c] * w)) as [number, number, number];
}
