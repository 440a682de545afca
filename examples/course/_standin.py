"""Generated stand-ins for the Kaggle "Intro to Deep Learning" course data, and sklearn-free preprocessing.

The course reads six CSV files from the Kaggle dataset ``ryanholbrook/dl-course-data`` (red-wine, concrete,
fuel, spotify, ion, hotel). That data is not shipped with keras_lite, so the lesson scripts next to this
file train on tables generated here instead: the same column names, column counts and column types as the
course's files, and targets that depend on the features (so there is something to learn), but the values
are synthetic and the row counts of the large files are smaller. Every table comes from a fixed NumPy seed,
so each run sees the same data.

`csv_file(name)` returns the table as CSV text in a file-like object, so a lesson script can keep the
course's own ``pd.read_csv(...)`` call (``index_col=0`` included) and change only the path.

The course preprocesses with scikit-learn (``make_column_transformer``, ``StandardScaler``,
``OneHotEncoder``, ``SimpleImputer``, ``GroupShuffleSplit``, ``train_test_split``). scikit-learn is not a
dependency of keras_lite, so `ColumnPreprocessor`, `group_split` and `stratified_split` below do the same
computations with NumPy and pandas.
"""

from __future__ import annotations

import functools
import importlib.util
import io
import math
from typing import Any

import numpy as np
import pandas as pd

# pandas' ``.plot()`` and the course's ``plt`` calls need matplotlib, which keras_lite does not depend on.
HAVE_MATPLOTLIB = importlib.util.find_spec("matplotlib") is not None

RED_WINE_FEATURES = [
    "fixed acidity",
    "volatile acidity",
    "citric acid",
    "residual sugar",
    "chlorides",
    "free sulfur dioxide",
    "total sulfur dioxide",
    "density",
    "pH",
    "sulphates",
    "alcohol",
]

CONCRETE_FEATURES = [
    "Cement",
    "BlastFurnaceSlag",
    "FlyAsh",
    "Water",
    "Superplasticizer",
    "CoarseAggregate",
    "FineAggregate",
    "Age",
]

SPOTIFY_NUMERIC = [
    "danceability",
    "energy",
    "key",
    "loudness",
    "mode",
    "speechiness",
    "acousticness",
    "instrumentalness",
    "liveness",
    "valence",
    "tempo",
    "duration_ms",
]
SPOTIFY_GENRES = ["edm", "latin", "pop", "r&b", "rap", "rock"]

MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def _rng(name: str) -> np.random.Generator:
    # One fixed seed per table, so that generating one table never changes another.
    return np.random.default_rng(sum(ord(c) for c in name) * 7919)


def _cycle(rng: np.random.Generator, n: int, levels: list[Any], p: Any = None) -> np.ndarray:
    """n draws from ``levels`` in which every level occurs at least once (so one-hot widths are fixed)."""
    draws = rng.choice(len(levels), size=n, p=p)
    draws[: len(levels)] = np.arange(len(levels))
    return np.asarray(levels, dtype=object)[rng.permutation(draws)]


def red_wine(n: int = 1599) -> pd.DataFrame:
    """11 physico-chemical features and an integer ``quality`` (3-8), like UCI's red wine (1599 rows)."""
    rng = _rng("red-wine")
    spec = {  # mean, std, min
        "fixed acidity": (8.3, 1.7, 4.6),
        "volatile acidity": (0.53, 0.18, 0.12),
        "citric acid": (0.27, 0.19, 0.0),
        "residual sugar": (2.5, 1.4, 0.9),
        "chlorides": (0.087, 0.047, 0.012),
        "free sulfur dioxide": (15.9, 10.5, 1.0),
        "total sulfur dioxide": (46.5, 32.9, 6.0),
        "density": (0.9967, 0.0019, 0.990),
        "pH": (3.31, 0.15, 2.74),
        "sulphates": (0.66, 0.17, 0.33),
        "alcohol": (10.4, 1.07, 8.4),
    }
    df = pd.DataFrame({col: np.maximum(rng.normal(m, s, n), lo) for col, (m, s, lo) in spec.items()})
    z = (df - df.mean()) / df.std()
    score = (
        5.64
        + 0.45 * z["alcohol"]
        - 0.3 * z["volatile acidity"]
        + 0.2 * z["sulphates"]
        - 0.1 * z["total sulfur dioxide"]
        + rng.normal(0, 0.45, n)
    )
    df["quality"] = np.clip(np.round(score), 3, 8).astype(int)
    return df.round(4)


def concrete(n: int = 1030) -> pd.DataFrame:
    """8 mix ingredients (kg/m3) and age (days), unscaled, and ``CompressiveStrength`` (MPa)."""
    rng = _rng("concrete")
    some = rng.random((n, 3)) < np.array([0.55, 0.45, 0.65])
    df = pd.DataFrame(
        {
            "Cement": rng.uniform(102, 540, n),
            "BlastFurnaceSlag": np.where(some[:, 0], rng.uniform(11, 359, n), 0.0),
            "FlyAsh": np.where(some[:, 1], rng.uniform(24, 200, n), 0.0),
            "Water": rng.uniform(122, 247, n),
            "Superplasticizer": np.where(some[:, 2], rng.uniform(1.7, 32.2, n), 0.0),
            "CoarseAggregate": rng.uniform(801, 1145, n),
            "FineAggregate": rng.uniform(594, 993, n),
            "Age": rng.choice(
                [1, 3, 7, 14, 28, 56, 90, 180, 365],
                size=n,
                p=[0.01, 0.13, 0.12, 0.06, 0.41, 0.09, 0.08, 0.05, 0.05],
            ),
        }
    )
    binder = df["Cement"] + 0.8 * df["BlastFurnaceSlag"] + 0.5 * df["FlyAsh"]
    strength = (
        0.11 * binder * (1.0 - 0.0025 * (df["Water"] - 120))
        + 0.4 * df["Superplasticizer"]
        + 9.0 * np.log(df["Age"])
        - 36.0
        + rng.normal(0, 4.0, n)
    )
    df["CompressiveStrength"] = np.clip(strength, 2.3, 82.6)
    return df.round(2)


def fuel(n: int = 1107) -> pd.DataFrame:
    """Car fuel economy: 9 numeric and 4 text columns (41 categories in all) and the target ``FE``.

    After standard-scaling the numbers and one-hot encoding the text, as the course does, there are
    9 + 41 = 50 features, the course's input width.
    """
    rng = _rng("fuel")
    transmissions = ["A4", "A5", "A6", "A7", "AM6", "AM7", "AV", "AV-S6", "AM-S6", "AM-S7"]
    transmissions += ["M5", "M6", "S4", "S5", "S6", "S7", "S8"]  # 17
    aspiration = ["NaturallyAspirated", "Turbocharged", "Supercharged", "OtherAspirationType"]  # 4
    drive = ["TwoWheelDriveFront", "TwoWheelDriveRear", "AllWheelDrive", "FourWheelDrive"]
    drive += ["ParttimeFourWheelDrive"]  # 5
    classes = ["2Seaters", "Minicompact", "Subcompact", "Compact", "Midsize", "Large"]
    classes += ["SmallStationWagon", "MidsizeStationWagon", "SmallPickupTrucks2WD", "SmallPickupTrucks4WD"]
    classes += ["StandardPickupTrucks2WD", "StandardPickupTrucks4WD", "VansCargoTypes"]
    classes += ["SportUtilityVehicle2WD", "SportUtilityVehicle4WD"]  # 15
    displ = np.round(rng.uniform(1.0, 7.0, n), 1)
    cyl = np.clip(np.round(displ * 1.3 + rng.normal(0, 0.8, n)), 2, 16).astype(int)
    df = pd.DataFrame(
        {
            "EngDispl": displ,
            "NumCyl": cyl,
            "Transmission": _cycle(rng, n, transmissions),
            "AirAspirationMethod": _cycle(rng, n, aspiration, p=[0.8, 0.15, 0.03, 0.02]),
            "NumGears": rng.integers(1, 9, n),
            "TransLockup": rng.integers(0, 2, n),
            "TransCreeperGear": (rng.random(n) < 0.05).astype(int),
            "DriveDesc": _cycle(rng, n, drive),
            "IntakeValvePerCyl": rng.choice([1, 2, 3], size=n, p=[0.1, 0.85, 0.05]),
            "ExhaustValvesPerCyl": rng.choice([1, 2], size=n, p=[0.15, 0.85]),
            "CarlineClassDesc": _cycle(rng, n, classes),
            "VarValveTiming": (rng.random(n) < 0.8).astype(int),
            "VarValveLift": (rng.random(n) < 0.25).astype(int),
        }
    )
    fe = 70.0 * np.exp(-0.18 * displ) - 0.4 * cyl + 1.5 * df["VarValveLift"]
    fe = fe - 3.0 * df["DriveDesc"].isin(["AllWheelDrive", "FourWheelDrive"]) + rng.normal(0, 2.0, n)
    df.insert(3, "FE", np.round(np.clip(fe, 12.0, 70.0), 4))
    return df


def spotify(n: int = 4000, artists: int = 1000) -> pd.DataFrame:
    """Songs: 12 numeric audio features, ``playlist_genre`` (6 genres), ``track_artist`` and
    ``track_popularity`` (0-100). A few rows miss their ``track_name``, as in the course's file, so
    ``dropna()`` removes some rows.
    """
    rng = _rng("spotify")
    artist = rng.integers(0, artists, n)
    artist_pull = rng.normal(0, 12, artists)[artist]
    genre = _cycle(rng, n, SPOTIFY_GENRES)
    df = pd.DataFrame(
        {
            "track_id": [f"t{i:06d}" for i in range(n)],
            "track_name": [f"Song {i}" for i in range(n)],
            "track_artist": [f"Artist {a}" for a in artist],
            "track_popularity": 0,
            "playlist_genre": genre,
            "danceability": rng.beta(5, 3, n),
            "energy": rng.beta(5, 2.5, n),
            "key": rng.integers(0, 12, n),
            "loudness": -np.abs(rng.normal(6.7, 3.0, n)),
            "mode": (rng.random(n) < 0.56).astype(int),
            "speechiness": rng.beta(1.2, 9, n),
            "acousticness": rng.beta(0.6, 2.5, n),
            "instrumentalness": rng.beta(0.2, 2.0, n),
            "liveness": rng.beta(1.5, 6, n),
            "valence": rng.beta(2.5, 2.5, n),
            "tempo": rng.normal(121, 27, n),
            "duration_ms": rng.normal(226_000, 60_000, n).clip(40_000, 500_000).round().astype(int),
        }
    )
    genre_pull = pd.Series(genre).map({"edm": -8, "latin": 4, "pop": 8, "r&b": 0, "rap": 3, "rock": -3})
    popularity = (
        42
        + genre_pull.to_numpy()
        + artist_pull
        + 12 * (df["danceability"] - 0.65)
        - 15 * (df["instrumentalness"])
        + 2 * (df["loudness"] + 6.7)
        + rng.normal(0, 12, n)
    )
    df["track_popularity"] = np.clip(np.round(popularity), 0, 100).astype(int)
    df.loc[rng.choice(n, size=5, replace=False), "track_name"] = np.nan
    return df.round(6)


def ion(n: int = 351) -> pd.DataFrame:
    """Radar returns: 34 numeric columns ``V1``..``V34`` (``V2`` is all zeros, as in UCI's Ionosphere)
    and ``Class`` ('good'/'bad'). Written with an unnamed index column, read back with ``index_col=0``.
    """
    rng = _rng("ion")
    bad = rng.random(n) < 0.36
    data = {
        "V1": np.where(bad, rng.random(n) < 0.8, rng.random(n) < 0.999).astype(int),
        "V2": np.zeros(n, int),
    }
    phase = rng.uniform(0, 2 * np.pi, n)
    for j in range(3, 35):
        # Good returns are structured (mostly positive, decaying with j); bad ones are noise.
        good_signal = 0.8 * np.exp(-0.03 * j) + 0.3 * np.cos(phase + 0.35 * j)
        value = np.where(bad, rng.uniform(-1, 1, n), good_signal + rng.normal(0, 0.25, n))
        data[f"V{j}"] = np.clip(value, -1, 1)
    df = pd.DataFrame(data).round(5)
    df["Class"] = np.where(bad, "bad", "good")
    df.index = pd.RangeIndex(1, n + 1)
    return df


def hotel(n: int = 4000) -> pd.DataFrame:
    """Hotel bookings: ``is_canceled``, the course's 14 numeric and 8 categorical features (month as a
    name; ``children`` has a few missing values) and a few unused columns."""
    rng = _rng("hotel")
    hotel_kind = _cycle(rng, n, ["Resort Hotel", "City Hotel"], p=[0.34, 0.66])
    month = _cycle(rng, n, MONTHS)
    month_num = pd.Series(month).map({m: i + 1 for i, m in enumerate(MONTHS)}).to_numpy()
    segments = ["Online TA", "Offline TA/TO", "Groups", "Direct", "Corporate", "Complementary", "Aviation"]
    deposit = _cycle(rng, n, ["No Deposit", "Non Refund", "Refundable"], p=[0.87, 0.12, 0.01])
    lead_time = rng.gamma(1.0, 104, n).round().astype(int)
    prev_cancel = rng.choice([0, 1, 2], size=n, p=[0.94, 0.05, 0.01])
    requests = rng.choice([0, 1, 2, 3], size=n, p=[0.59, 0.28, 0.11, 0.02])
    parking = (rng.random(n) < 0.06).astype(int)
    df = pd.DataFrame(
        {
            "hotel": hotel_kind,
            "is_canceled": 0,
            "lead_time": lead_time,
            "arrival_date_year": rng.choice([2015, 2016, 2017], size=n),
            "arrival_date_month": month,
            "arrival_date_week_number": np.clip((month_num - 1) * 4.35 + rng.integers(1, 5, n), 1, 53).astype(
                int
            ),
            "arrival_date_day_of_month": rng.integers(1, 32, n),
            "stays_in_weekend_nights": rng.poisson(0.9, n),
            "stays_in_week_nights": rng.poisson(2.5, n),
            "adults": rng.choice([1, 2, 3], size=n, p=[0.19, 0.75, 0.06]),
            "children": rng.choice([0.0, 1.0, 2.0], size=n, p=[0.93, 0.04, 0.03]),
            "babies": (rng.random(n) < 0.01).astype(int),
            "meal": _cycle(rng, n, ["BB", "HB", "SC", "FB", "Undefined"], p=[0.77, 0.12, 0.09, 0.01, 0.01]),
            "country": _cycle(rng, n, ["PRT", "GBR", "FRA", "ESP", "DEU"]),
            "market_segment": _cycle(rng, n, segments, p=[0.47, 0.2, 0.17, 0.1, 0.04, 0.015, 0.005]),
            "distribution_channel": _cycle(
                rng, n, ["TA/TO", "Direct", "Corporate", "GDS"], p=[0.82, 0.12, 0.05, 0.01]
            ),
            "is_repeated_guest": (rng.random(n) < 0.03).astype(int),
            "previous_cancellations": prev_cancel,
            "previous_bookings_not_canceled": rng.choice([0, 1, 2], size=n, p=[0.97, 0.02, 0.01]),
            "reserved_room_type": _cycle(rng, n, list("ABCDEFGH") + ["L", "P"]),
            "deposit_type": deposit,
            "customer_type": _cycle(
                rng, n, ["Transient", "Transient-Party", "Contract", "Group"], p=[0.75, 0.21, 0.035, 0.005]
            ),
            "adr": np.round(rng.gamma(4.0, 25.5, n), 2),
            "required_car_parking_spaces": parking,
            "total_of_special_requests": requests,
        }
    )
    logit = (
        -1.2
        + 0.005 * lead_time
        + 3.0 * (deposit == "Non Refund")
        + 1.5 * prev_cancel
        - 0.6 * requests
        - 3.0 * parking
        + 0.5 * (hotel_kind == "City Hotel")
        + 0.4 * (df["market_segment"] == "Groups")
    )
    df["is_canceled"] = (rng.random(n) < 1 / (1 + np.exp(-2.5 * logit))).astype(int)
    df.loc[rng.choice(n, size=4, replace=False), "children"] = np.nan
    return df


_TABLES = {
    "red-wine.csv": red_wine,
    "concrete.csv": concrete,
    "fuel.csv": fuel,
    "spotify.csv": spotify,
    "ion.csv": ion,
    "hotel.csv": hotel,
}


@functools.cache
def _csv_text(name: str) -> str:
    table = _TABLES[name]()
    return table.to_csv(index=name == "ion.csv")


def csv_file(name: str) -> io.StringIO:
    """The stand-in for ``../input/dl-course-data/<name>`` as a file-like object for ``pd.read_csv``."""
    return io.StringIO(_csv_text(name))


# ---- what the course does with scikit-learn ---------------------------------------------------------------
class ColumnPreprocessor:
    """``make_column_transformer((StandardScaler(), numeric), (OneHotEncoder(), categorical))`` in pandas.

    Numeric columns are centred and divided by their population standard deviation (``StandardScaler``;
    a constant column is only centred). Each categorical column becomes one 0/1 column per category seen
    by ``fit_transform``, in sorted order (``OneHotEncoder``); a category seen only later encodes as all
    zeros (``handle_unknown='ignore'``). With ``impute=True``, missing numbers become 0 and missing
    categories ``"NA"`` first (``SimpleImputer(strategy="constant")`` in a pipeline). The output is a
    dense float64 array, numeric columns first, as ``ColumnTransformer`` returns it.
    """

    def __init__(self, numeric: list[str], categorical: list[str], impute: bool = False) -> None:
        self.numeric = list(numeric)
        self.categorical = list(categorical)
        self.impute = impute

    def _prepare(self, X: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
        num = X[self.numeric].astype(float)
        cat = X[self.categorical]
        if self.impute:
            num = num.fillna(0.0)
            cat = cat.astype(object).fillna("NA")
        return num, cat

    def fit_transform(self, X: pd.DataFrame) -> np.ndarray:
        num, cat = self._prepare(X)
        self.mean_ = num.mean().to_numpy()
        std = num.std(ddof=0).to_numpy()
        self.scale_ = np.where(std > 0, std, 1.0)
        self.categories_ = [sorted(cat[c].unique(), key=lambda v: (str(type(v)), v)) for c in cat]
        return self.transform(X)

    def transform(self, X: pd.DataFrame) -> np.ndarray:
        num, cat = self._prepare(X)
        parts = [(num.to_numpy() - self.mean_) / self.scale_]
        for column, categories in zip(cat, self.categories_):
            values = cat[column].to_numpy()
            parts.append(np.stack([values == c for c in categories], axis=1).astype(float))
        return np.concatenate(parts, axis=1)


def group_split(
    X: pd.DataFrame, y: pd.Series, group: pd.Series, train_size: float = 0.75, seed: int = 0
) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series, pd.Series]:
    """The course's ``group_split`` (``GroupShuffleSplit(train_size=0.75)``): a random 75% of the groups
    (floor, as sklearn rounds) go to training, so no artist has songs on both sides. Seeded here; the
    course's split is unseeded."""
    groups = np.asarray(pd.unique(group))
    n_train = math.floor(train_size * len(groups))
    chosen = set(np.random.default_rng(seed).permutation(groups)[:n_train])
    mask = group.isin(chosen).to_numpy()
    train, test = np.flatnonzero(mask), np.flatnonzero(~mask)
    return X.iloc[train], X.iloc[test], y.iloc[train], y.iloc[test]


def stratified_split(
    X: pd.DataFrame, y: pd.Series, train_size: float = 0.75, seed: int = 0
) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series, pd.Series]:
    """``train_test_split(X, y, stratify=y, train_size=0.75)``: each class is split 75/25 on its own, so
    both parts keep the class balance. Seeded here; the course's split is unseeded."""
    rng = np.random.default_rng(seed)
    labels = y.to_numpy()
    train_parts = []
    for label in np.unique(labels):
        members = rng.permutation(np.flatnonzero(labels == label))
        train_parts.append(members[: round(train_size * len(members))])
    train = rng.permutation(np.concatenate(train_parts))
    test = rng.permutation(np.setdiff1d(np.arange(len(labels)), train))
    return X.iloc[train], X.iloc[test], y.iloc[train], y.iloc[test]
