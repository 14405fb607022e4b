//! `spawn_app`: the real application on a random port, with typed request helpers and a small
//! dataset whose contents the tests know independently of the code under test.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;

use aurum::Application;
use aurum::settings::ServeSettings;
use serde_json::Value;

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    /// Keeps the loaded files alive while the app runs.
    pub dir: Option<tempfile::TempDir>,
}

/// Dates of the known dataset, newest first.
pub const DATES: [&str; 4] = ["2026-11-20", "2026-11-19", "2026-11-18", "2026-11-17"];

/// Curves of the known dataset: (`asset_class`, iso, location, market, block, units, base price).
pub const CURVES: [(&str, &str, &str, &str, &str, &str, f64); 3] = [
    ("power", "PJM", "WEST HUB", "DA", "ON_PEAK", "$/MWh", 50.0),
    ("power", "PJM", "WEST HUB", "DA", "OFF_PEAK", "$/MWh", 30.0),
    ("gas", "NYMEX", "=HENRY HUB", "FUT", "ATC", "$/MMBtu", 3.0),
];

/// The known price of a curve for a month on a date (the dataset's own formula).
pub fn price(curve: usize, date: u32, month: u32) -> f64 {
    CURVES[curve].6 + f64::from(month) + f64::from(date) * 0.5
}

/// Writes the known dataset: 3 curves × 12 months of 2027 × 4 dates = 144 monthly rows, plus
/// two bad rows (lines 146 and 147). Ingestion derives 5 strips (Calendar + 4 quarters) per
/// curve and date = 60 more rows.
pub fn known_csv() -> String {
    let mut s = String::from(
        "tenor_label,asof_date,asset_class,iso,location,market,block,units_raw,value,extra_column\n",
    );
    for (d, date) in (0_u32..).zip(DATES.iter()) {
        for (c, curve) in CURVES.iter().enumerate() {
            for m in 1..=12 {
                let _ = writeln!(
                    s,
                    "2027-{m:02},{date},{},{},{},{},{},{},{},ignored",
                    curve.0,
                    curve.1,
                    curve.2,
                    curve.3,
                    curve.4,
                    curve.5,
                    price(c, d, m)
                );
            }
        }
    }
    s.push_str("2027-01,2026-13-01,power,PJM,WEST HUB,DA,ON_PEAK,$/MWh,1,x\n");
    s.push_str("2027-01,2026-11-20,power,PJM,WEST HUB,DA,ON_PEAK,$/MWh,,x\n");
    s
}

pub const MONTHLY_ROWS: usize = 144;
pub const DERIVED_ROWS: usize = 60;

pub fn write_temp(dir: &tempfile::TempDir, name: &str, contents: &str) -> PathBuf {
    let path = dir.path().join(name);
    let mut f = std::fs::File::create(&path).unwrap();
    f.write_all(contents.as_bytes()).unwrap();
    path
}

/// The application serving the known dataset.
pub async fn spawn_app() -> TestApp {
    let dir = tempfile::TempDir::new().unwrap();
    let file = write_temp(&dir, "known.csv", &known_csv());
    let mut settings = ServeSettings::for_tests();
    settings.load = vec![file];
    spawn_with(settings, Some(dir)).await
}

/// The application serving the (small) demo dataset.
pub async fn spawn_demo_app() -> TestApp {
    spawn_with(ServeSettings::for_tests(), None).await
}

pub async fn spawn_with(settings: ServeSettings, dir: Option<tempfile::TempDir>) -> TestApp {
    let app = Application::build(settings)
        .await
        .expect("the application builds");
    let base = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    let mut app = TestApp::new(base);
    app.dir = dir;
    app
}

impl TestApp {
    pub fn new(base: String) -> Self {
        let client = reqwest::Client::builder().no_gzip().build().unwrap();
        Self {
            base,
            client,
            dir: None,
        }
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("request sent")
    }

    pub async fn get_with(&self, path: &str, headers: &[(&str, &str)]) -> reqwest::Response {
        let mut req = self.client.get(format!("{}{path}", self.base));
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        req.send().await.expect("request sent")
    }

    pub async fn get_json(&self, path: &str) -> (u16, Value) {
        let res = self.get(path).await;
        let status = res.status().as_u16();
        (status, res.json().await.expect("a JSON body"))
    }

    /// Walks `next_cursor` from the first page of `path` (which has a query string) and
    /// returns every page's data.
    pub async fn walk(&self, path: &str) -> Vec<Vec<Value>> {
        let mut pages = Vec::new();
        let mut url = path.to_owned();
        loop {
            let (status, body) = self.get_json(&url).await;
            assert_eq!(status, 200, "{body}");
            pages.push(body["data"].as_array().unwrap().clone());
            match body["meta"]["next_cursor"].as_str() {
                Some(c) => url = format!("{path}&cursor={c}"),
                None => break,
            }
            assert!(pages.len() < 10_000, "the walk does not end");
        }
        pages
    }
}

/// The unique key of a curve row.
pub fn row_key(row: &Value) -> (String, String, String) {
    (
        row["curve_key"].as_str().unwrap().to_owned(),
        row["tenor_label"].as_str().unwrap().to_owned(),
        row["asof_date"].as_str().unwrap().to_owned(),
    )
}

/// A port nothing listens on right now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}
