/* Boxes and radii on the points of the counting index, placed as PostGIS places them
 * (search/filter.c:
 * `&&` on a box, ST_DWithin on the spheroid), the points too close to an edge left to PostGIS. */
#include <math.h>

#include "domain/search/indexed.h"

/* How a point is placed against a radius: first on a flat approximation around the centre (its
 * error stays below 1 % of the distance within 200 km), then, in a band of that width around the
 * circle, by Vincenty's formula on the WGS 84 spheroid, as PostGIS measures geography (within a
 * millimetre of it); a point within GEO_EDGE_M of the circle, or of a box's edge (PostGIS tests
 * boxes on float4 corners: 7.6e-6 degree at most), is left to PostGIS. */
#define GEO_FLAT_RATIO 0.01
#define GEO_EDGE_M     0.5
#define GEO_EDGE_DEG   1e-5
#define EARTH_R_M      6371008.8

/* The distance in metres between two points (degrees) on the WGS 84 spheroid (Vincenty's inverse
 * formula); a negative value when it does not converge (nearly antipodal points). */
static double spheroid_m(double lon1, double lat1, double lon2, double lat2) {
    const double a = 6378137.0, f = 1 / 298.257223563, b = a * (1 - f);
    double L = (lon2 - lon1) * M_PI / 180;
    double U1 = atan((1 - f) * tan(lat1 * M_PI / 180)), U2 = atan((1 - f) * tan(lat2 * M_PI / 180));
    double sinU1 = sin(U1), cosU1 = cos(U1), sinU2 = sin(U2), cosU2 = cos(U2);
    double lambda = L, sinSigma = 0, cosSigma = 1, sigma = 0, cos2Alpha = 1, cos2SigmaM = 0;
    for (int i = 0; i < 100; i++) {
        double sinL = sin(lambda), cosL = cos(lambda);
        double t1 = cosU2 * sinL, t2 = cosU1 * sinU2 - sinU1 * cosU2 * cosL;
        sinSigma = sqrt(t1 * t1 + t2 * t2);
        if (sinSigma == 0)
            return 0; /* the same point */
        cosSigma = sinU1 * sinU2 + cosU1 * cosU2 * cosL;
        sigma = atan2(sinSigma, cosSigma);
        double sinAlpha = cosU1 * cosU2 * sinL / sinSigma;
        cos2Alpha = 1 - sinAlpha * sinAlpha;
        cos2SigmaM = cos2Alpha != 0 ? cosSigma - 2 * sinU1 * sinU2 / cos2Alpha : 0;
        double C = f / 16 * cos2Alpha * (4 + f * (4 - 3 * cos2Alpha));
        double prev = lambda;
        lambda = L + (1 - C) * f * sinAlpha *
                             (sigma + C * sinSigma *
                                              (cos2SigmaM +
                                               C * cosSigma * (-1 + 2 * cos2SigmaM * cos2SigmaM)));
        if (fabs(lambda - prev) < 1e-12) {
            double u2 = cos2Alpha * (a * a - b * b) / (b * b);
            double A = 1 + u2 / 16384 * (4096 + u2 * (-768 + u2 * (320 - 175 * u2)));
            double B = u2 / 1024 * (256 + u2 * (-128 + u2 * (74 - 47 * u2)));
            double dSigma =
                    B * sinSigma *
                    (cos2SigmaM + B / 4 *
                                          (cosSigma * (-1 + 2 * cos2SigmaM * cos2SigmaM) -
                                           B / 6 * cos2SigmaM * (-3 + 4 * sinSigma * sinSigma) *
                                                   (-3 + 4 * cos2SigmaM * cos2SigmaM)));
            return b * A * (sigma - dSigma);
        }
    }
    return -1;
}

/* Where a coordinate lies against the range [lo, hi]: 1 inside, 0 outside, -1 at an edge. */
static int range_side(double v, double lo, double hi) {
    if (v < lo - GEO_EDGE_DEG || v > hi + GEO_EDGE_DEG)
        return 0;
    if (v > lo + GEO_EDGE_DEG && v < hi - GEO_EDGE_DEG)
        return 1;
    return -1;
}

/* Where a point lies against the circle of sq: 1 inside, 0 outside, -1 at the edge. The flat
 * distance takes the longitudes at the mean latitude (within 0.1 % of the sphere's up to a few
 * hundred kilometres; the sphere is within 0.5 % of the spheroid). */
static int circle_side(const search_query_t *sq, double lon, double lat) {
    double r = sq->near_km * 1000, k = EARTH_R_M * M_PI / 180;
    double dx = (lon - sq->near_lon) * k * cos((lat + sq->near_lat) * M_PI / 360);
    double dy = (lat - sq->near_lat) * k;
    double flat = sqrt(dx * dx + dy * dy), band = r * GEO_FLAT_RATIO + 10;
    if (flat < r - band)
        return 1;
    if (flat > r + band)
        return 0;
    double d = spheroid_m(sq->near_lon, sq->near_lat, lon, lat);
    if (d < 0 || fabs(d - r) <= GEO_EDGE_M)
        return -1;
    return d < r;
}

bool search_index_geo(cidx_t *ix, const search_query_t *sq, roaring_bitmap_t **in,
                      roaring_bitmap_t **edge) {
    const double *ll;
    uint32_t max_id;
    *in = *edge = NULL;
    if (!cidx_points(ix, &ll, &max_id))
        return false;
    /* The radius as search/filter.c tests it: the box of ST_Expand, then the distance. */
    double near_deg = 0;
    if (sq->has_near) {
        double c = cos(sq->near_lat * M_PI / 180);
        near_deg = sq->near_km / (111.32 * (c < 0.01 ? 0.01 : c));
    }
    *in = roaring_bitmap_create();
    *edge = roaring_bitmap_create();
    if (*in == NULL || *edge == NULL)
        goto fail;
    for (uint32_t id = 0; id <= max_id; id++) {
        double lon = ll[2 * (size_t)id], lat = ll[2 * (size_t)id + 1];
        int side = 1;
        if (isnan(lon) || isnan(lat))
            continue;
        if (sq->has_bbox) {
            int a = range_side(lon, sq->bbox[0], sq->bbox[2]);
            int b = a ? range_side(lat, sq->bbox[1], sq->bbox[3]) : 0;
            side = a == 0 || b == 0 ? 0 : a < 0 || b < 0 ? -1 : 1;
        }
        if (side != 0 && sq->has_near) {
            int a = range_side(lon, sq->near_lon - near_deg, sq->near_lon + near_deg);
            int b = a ? range_side(lat, sq->near_lat - near_deg, sq->near_lat + near_deg) : 0;
            int box = a == 0 || b == 0 ? 0 : a < 0 || b < 0 ? -1 : 1;
            int dist = box != 0 ? circle_side(sq, lon, lat) : 0;
            int both = box == 0 || dist == 0 ? 0 : box < 0 || dist < 0 ? -1 : 1;
            side = both == 0 ? 0 : side < 0 || both < 0 ? -1 : 1;
        }
        if (side > 0)
            roaring_bitmap_add(*in, id);
        else if (side < 0)
            roaring_bitmap_add(*edge, id);
    }
    return true;
fail:
    cidx_bitmap_free(*in);
    cidx_bitmap_free(*edge);
    *in = *edge = NULL;
    return false;
}

bool search_index_geo_apply(cidx_t *ix, const search_query_t *sq, search_dirty_t *d,
                            roaring_bitmap_t **words) {
    roaring_bitmap_t *in, *edge;
    if (!sq->has_near && !sq->has_bbox)
        return true;
    if (!search_index_geo(ix, sq, &in, &edge))
        return false;
    bool added = search_dirty_add(d, edge);
    cidx_bitmap_free(edge);
    if (!added) {
        cidx_bitmap_free(in);
        return false;
    }
    if (*words) {
        roaring_bitmap_and_inplace(*words, in);
        cidx_bitmap_free(in);
    } else {
        *words = in;
    }
    return true;
}
