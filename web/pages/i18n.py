"""The pages' message catalogue (Japanese and English) and how a request picks its language.

Every string a page shows goes through :func:`messages`: templates read it as
``t.key`` and the browser modules get the same dictionary as JSON. The language is
``?lang=`` (remembered in a cookie), else the cookie, else the best match of
``Accept-Language``, else Japanese.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import Request

LANGUAGES = ("ja", "en")
DEFAULT_LANGUAGE = "ja"
COOKIE = "tsunagu_lang"

_CATALOGUE: dict[str, dict[str, str]] = {
    "app.name": {"ja": "つなぐ", "en": "Tsunagu"},
    "app.tagline": {"ja": "バスとデマンド交通の乗換案内",
                    "en": "Buses and on-demand rides, door to door"},
    "nav.resident": {"ja": "乗換案内", "en": "Trip planner"},
    "nav.dispatcher": {"ja": "配車ボード", "en": "Dispatch board"},
    "nav.signin": {"ja": "ログイン", "en": "Sign in"},
    "nav.signout": {"ja": "ログアウト", "en": "Sign out"},
    "nav.language": {"ja": "言語", "en": "Language"},
    "login.title": {"ja": "ログイン", "en": "Sign in"},
    "login.lead": {"ja": ("APIトークンを入力してください。"
                          "デモ用トークンは tsunagu serve の起動時に表示されます。"),
                   "en": "Enter your API token. tsunagu serve prints the demo tokens."},
    "login.token": {"ja": "APIトークン", "en": "API token"},
    "login.submit": {"ja": "ログイン", "en": "Sign in"},
    "login.checking": {"ja": "確認中…", "en": "Checking…"},
    "login.invalid": {"ja": "このトークンは使えません", "en": "This token is not valid"},
    "login.stored": {"ja": "トークンはこのタブを閉じると消去されます。",
                     "en": "The token is kept until this tab is closed."},
    "login.as": {"ja": "ログイン中", "en": "Signed in as"},
    "role.resident": {"ja": "住民", "en": "resident"},
    "role.driver": {"ja": "運転手", "en": "driver"},
    "role.dispatcher": {"ja": "配車係", "en": "dispatcher"},
    "role.planner": {"ja": "計画担当", "en": "planner"},
    "role.admin": {"ja": "管理者", "en": "admin"},
    "plan.title": {"ja": "乗換案内", "en": "Plan a trip"},
    "plan.from": {"ja": "出発地", "en": "From"},
    "plan.to": {"ja": "目的地", "en": "To"},
    "plan.search": {"ja": "バス停名、または地図をクリック",
                    "en": "Stop name, or click the map"},
    "plan.pick": {"ja": "地図で選ぶ", "en": "Pick on map"},
    "plan.picking": {"ja": "地図をクリックしてください", "en": "Click the map"},
    "plan.swap": {"ja": "入れ替え", "en": "Swap"},
    "plan.time": {"ja": "時刻", "en": "Time"},
    "plan.depart": {"ja": "出発", "en": "Depart at"},
    "plan.arrive": {"ja": "到着", "en": "Arrive by"},
    "plan.submit": {"ja": "検索", "en": "Find routes"},
    "plan.searching": {"ja": "検索中…", "en": "Searching…"},
    "plan.none": {"ja": "経路が見つかりませんでした", "en": "No route found"},
    "plan.need_places": {"ja": "出発地と目的地を指定してください",
                         "en": "Choose where from and where to"},
    "plan.results": {"ja": "検索結果", "en": "Routes"},
    "plan.transfers": {"ja": "乗換", "en": "transfers"},
    "plan.walk": {"ja": "徒歩", "en": "walk"},
    "plan.minutes": {"ja": "分", "en": "min"},
    "plan.point": {"ja": "地図上の地点", "en": "Point on map"},
    "plan.no_stops": {"ja": "該当するバス停はありません", "en": "No stop matches"},
    "mode.WALK": {"ja": "徒歩", "en": "Walk"},
    "mode.BUS": {"ja": "バス", "en": "Bus"},
    "mode.ON_DEMAND": {"ja": "デマンド交通", "en": "On-demand"},
    "mode.RAIL": {"ja": "鉄道", "en": "Rail"},
    "leg.towards": {"ja": "行き", "en": "towards"},
    "leg.stops": {"ja": "駅", "en": "stops"},
    "leg.pickup_window": {"ja": "お迎え予定", "en": "Pick-up"},
    "book.button": {"ja": "予約する", "en": "Book this ride"},
    "book.ride": {"ja": "デマンド交通を予約", "en": "Book an on-demand ride"},
    "book.ride_lead": {"ja": ("デマンド区域内の出発地から乗り継ぎ拠点まで、"
                              "予約制の乗合車両が送迎します。"),
                       "en": ("An on-demand vehicle takes you from your door in the zone "
                              "to a hub stop.")},
    "book.hub": {"ja": "乗り継ぎ拠点", "en": "Hub"},
    "book.earliest": {"ja": "乗車希望 (から)", "en": "Pick-up from"},
    "book.latest": {"ja": "乗車希望 (まで)", "en": "Pick-up until"},
    "book.quote": {"ja": "空き状況を確認", "en": "Check availability"},
    "book.offer": {"ja": "ご案内できる便", "en": "Available ride"},
    "book.confirm": {"ja": "この内容で予約", "en": "Confirm booking"},
    "book.done": {"ja": "予約しました", "en": "Booked"},
    "book.refused": {"ja": "ご希望の時間に空きがありません", "en": "No vehicle can take this ride"},
    "book.vehicle": {"ja": "車両", "en": "Vehicle"},
    "book.dropoff_eta": {"ja": "到着予定", "en": "Drop-off ETA"},
    "mine.title": {"ja": "予約一覧", "en": "My bookings"},
    "mine.none": {"ja": "予約はありません", "en": "No bookings yet"},
    "mine.cancel": {"ja": "取消", "en": "Cancel"},
    "mine.cancel_confirm": {"ja": "この予約を取り消しますか？", "en": "Cancel this booking?"},
    "status.quoted": {"ja": "見積", "en": "quoted"},
    "status.booked": {"ja": "予約済", "en": "booked"},
    "status.assigned": {"ja": "配車済", "en": "assigned"},
    "status.en_route": {"ja": "迎車中", "en": "en route"},
    "status.picked_up": {"ja": "乗車中", "en": "on board"},
    "status.dropped_off": {"ja": "降車済", "en": "dropped off"},
    "status.cancelled": {"ja": "取消", "en": "cancelled"},
    "status.no_show": {"ja": "不在", "en": "no-show"},
    "vstate.off_duty": {"ja": "勤務外", "en": "off duty"},
    "vstate.available": {"ja": "待機", "en": "available"},
    "vstate.busy": {"ja": "運行中", "en": "busy"},
    "vstate.out_of_service": {"ja": "運休", "en": "out of service"},
    "board.title": {"ja": "配車ボード", "en": "Dispatch board"},
    "board.updated": {"ja": "更新", "en": "Updated"},
    "board.vehicles": {"ja": "車両", "en": "Vehicles"},
    "board.requests": {"ja": "予約・リクエスト", "en": "Ride requests"},
    "board.plans": {"ja": "運行計画", "en": "Vehicle plans"},
    "board.vehicle": {"ja": "車両", "en": "Vehicle"},
    "board.model": {"ja": "車種", "en": "Model"},
    "board.seats": {"ja": "定員", "en": "Seats"},
    "board.seats_left": {"ja": "空席", "en": "Seats left"},
    "board.state": {"ja": "状態", "en": "State"},
    "board.position": {"ja": "位置", "en": "Position"},
    "board.run": {"ja": "運行", "en": "Run"},
    "board.rider": {"ja": "利用者", "en": "Rider"},
    "board.window": {"ja": "乗車時間帯", "en": "Pick-up window"},
    "board.planned": {"ja": "予定時刻", "en": "Planned"},
    "board.stops": {"ja": "停車順 (到着予定)", "en": "Stops (ETA)"},
    "board.pickup": {"ja": "乗車", "en": "pick-up"},
    "board.dropoff": {"ja": "降車", "en": "drop-off"},
    "board.reoptimize": {"ja": "再最適化", "en": "Re-optimize"},
    "board.reassign": {"ja": "付け替え", "en": "Reassign"},
    "board.reassign_to": {"ja": "移動先の運行", "en": "Move to run"},
    "board.note": {"ja": "理由 (必須)", "en": "Reason (required)"},
    "board.no_requests": {"ja": "リクエストはありません", "en": "No ride requests"},
    "board.no_plans": {"ja": "予約のある運行はありません", "en": "No run has bookings"},
    "board.reoptimized": {"ja": "再最適化しました", "en": "Re-optimized"},
    "board.not_adopted": {"ja": "現在の計画が最短です",
                          "en": "The current plan is already the shortest"},
    "board.reassigned": {"ja": "付け替えました", "en": "Reassigned"},
    "board.no_position": {"ja": "未報告", "en": "not reported"},
    "board.actions": {"ja": "操作", "en": "Actions"},
    "board.zone": {"ja": "デマンド区域", "en": "On-demand zone"},
    "map.streets": {"ja": "道路", "en": "Streets"},
    "map.routes": {"ja": "バス路線", "en": "Bus routes"},
    "map.stops": {"ja": "バス停", "en": "Stops"},
    "map.zones": {"ja": "デマンド区域", "en": "On-demand zones"},
    "map.offline": {"ja": "地図データ: 道路網・GTFS (タイルサーバー不使用)",
                    "en": "Map data: our street network and GTFS (no tile server)"},
    "error.generic": {"ja": "エラーが発生しました", "en": "Something went wrong"},
    "error.signin": {"ja": "ログインしてください", "en": "Please sign in"},
    "error.role": {"ja": "このページには{role}のトークンが必要です",
                   "en": "This page needs a {role} token"},
    "error.no_map": {"ja": "地図ライブラリがありません (make で npm ci を実行してください)",
                     "en": "The map library is missing (run npm ci through make)"},
    # planner page (scenarios, KPI comparison, accessibility map)
    "nav.planner": {"ja": "シナリオ比較", "en": "Scenario planner"},
    "planner.title": {"ja": "シナリオ比較", "en": "Scenario comparison"},
    "planner.scenarios": {"ja": "シナリオ", "en": "Scenarios"},
    "planner.lead": {"ja": "基準とする案と比較する案を選び、同じ需要で評価します。",
                     "en": "Pick a reference and alternatives; all are run on the same demand."},
    "planner.reference": {"ja": "基準", "en": "Reference"},
    "planner.compare": {"ja": "比較", "en": "Compare"},
    "planner.no_mods": {"ja": "変更なし（現況）", "en": "No changes (today's network)"},
    "planner.changes": {"ja": "変更による増減", "en": "What it changes"},
    "planner.loading": {"ja": "読み込み中…", "en": "Loading…"},
    "planner.unusable": {"ja": "このファイルは使えません", "en": "This file cannot be used"},
    "planner.settings": {"ja": "実行条件", "en": "Run settings"},
    "planner.trips": {"ja": "移動サンプル数", "en": "OD trips"},
    "planner.departures": {"ja": "出発時刻数（7〜9時）", "en": "Departures (07–09)"},
    "planner.seed": {"ja": "乱数シード", "en": "Seed"},
    "planner.at_most": {"ja": "最大 {n}", "en": "at most {n}"},
    "planner.run": {"ja": "比較を実行", "en": "Run comparison"},
    "planner.need_two": {"ja": "基準と、比較する案を1つ以上選んでください",
                         "en": "Choose a reference and at least one alternative"},
    "planner.started": {"ja": "比較を開始しました", "en": "Comparison started"},
    "planner.done": {"ja": "比較が完了しました（{s} 秒）", "en": "Comparison finished ({s} s)"},
    "planner.failed": {"ja": "比較に失敗しました", "en": "The comparison failed"},
    "planner.empty": {"ja": "比較を実行すると、評価指標・グラフ・地図がここに表示されます。",
                      "en": "Run a comparison to see the KPIs, charts and map here."},
    "planner.kpis": {"ja": "評価指標", "en": "KPIs"},
    "planner.kpi": {"ja": "指標", "en": "KPI"},
    "planner.delta": {"ja": "差", "en": "Δ"},
    "planner.better": {"ja": "改善", "en": "Better"},
    "planner.worse": {"ja": "悪化", "en": "Worse"},
    "planner.na": {"ja": "—", "en": "—"},
    "planner.charts": {"ja": "主な指標", "en": "Main KPIs"},
    "planner.map": {"ja": "アクセシビリティの変化", "en": "Accessibility change"},
    "planner.map_lead": {"ja": "{min}分以内に到達できる雇用数の変化（セルごと・中央値）",
                         "en": "Change in jobs reachable within {min} min (per cell, median)"},
    "planner.alternative": {"ja": "比較案", "en": "Alternative"},
    "planner.more": {"ja": "増加", "en": "More jobs"},
    "planner.fewer": {"ja": "減少", "en": "Fewer jobs"},
    "planner.same": {"ja": "変化なし", "en": "No change"},
    "planner.cells": {"ja": "{n} セル（{size} m 四方）", "en": "{n} cells ({size} m squares)"},
    "planner.cell_tip": {"ja": "基準 {ref} → {value}（{delta}）",
                         "en": "reference {ref} → {value} ({delta})"},
    "planner.meta": {"ja": "移動 {trips} 件・出発時刻 {departures} 回・シード {seed}・{day}",
                     "en": "{trips} trips · {departures} departures · seed {seed} · {day}"},
    "planner.jobs": {"ja": "雇用", "en": "jobs"},
    "phase.queued": {"ja": "待機中", "en": "Queued"},
    "phase.preparing": {"ja": "シナリオ適用・ダイヤ作成", "en": "Applying scenarios"},
    "phase.routing": {"ja": "移動の経路探索", "en": "Routing the trips"},
    "phase.accessibility": {"ja": "アクセシビリティ計算", "en": "Measuring accessibility"},
    "phase.report": {"ja": "集計・レポート作成", "en": "Writing the report"},
    "phase.done": {"ja": "完了", "en": "Done"},
    "count.routes": {"ja": "路線", "en": "Routes"},
    "count.trips": {"ja": "便", "en": "Trips"},
    "count.stops": {"ja": "停留所", "en": "Stops"},
    "count.stop_times": {"ja": "停車回数", "en": "Stop times"},
    "count.trip_minutes": {"ja": "運行時間（分）", "en": "Trip minutes"},
    "count.zones": {"ja": "デマンド区域", "en": "Zones"},
    "count.vehicles": {"ja": "デマンド車両", "en": "Vehicles"},
    "count.zone_area_ha": {"ja": "区域面積（ha）", "en": "Zone area (ha)"},
    "modkind.add_route": {"ja": "路線新設", "en": "New route"},
    "modkind.adjust_frequency": {"ja": "運行頻度変更", "en": "Frequency change"},
    "modkind.remove_routes": {"ja": "路線廃止", "en": "Routes removed"},
    "modkind.remove_trips": {"ja": "便の削減", "en": "Trips removed"},
    "modkind.remove_stops": {"ja": "停留所廃止", "en": "Stops removed"},
    "modkind.reroute": {"ja": "経路変更", "en": "Reroute"},
    "modkind.adjust_speed": {"ja": "速度変更", "en": "Speed change"},
    "modkind.adjust_dwell": {"ja": "停車時間変更", "en": "Dwell change"},
    "modkind.add_zone": {"ja": "デマンド区域新設", "en": "New zone"},
    "modkind.resize_zone": {"ja": "デマンド区域変更", "en": "Zone resized"},
    "modkind.remove_zone": {"ja": "デマンド区域廃止", "en": "Zone removed"},
    "modkind.set_fleet": {"ja": "車両数変更", "en": "Fleet change"},
    "unit.min": {"ja": "分", "en": "min"},
    "unit.h": {"ja": "時間", "en": "h"},
    "unit.jobs": {"ja": "件", "en": "jobs"},
    "kpi.door_to_door_mean_min": {"ja": "ドアツードア所要時間（平均）", "en": "Door-to-door, mean"},
    "kpi.door_to_door_p50_min": {"ja": "ドアツードア所要時間（中央値）",
                                 "en": "Door-to-door, median"},
    "kpi.door_to_door_p90_min": {"ja": "ドアツードア所要時間（90%値）", "en": "Door-to-door, p90"},
    "kpi.good_option_45min_pct": {"ja": "45分以内で行ける移動の割合",
                                  "en": "Trips with a transit/DRT option ≤ 45 min"},
    "kpi.trips_reached_pct": {"ja": "経路が見つかった移動の割合", "en": "Trips with any journey"},
    "kpi.jobs_30min_pop_weighted": {"ja": "30分以内に到達できる雇用（人口加重）",
                                    "en": "Jobs within 30 min (pop.-weighted)"},
    "kpi.jobs_45min_pop_weighted": {"ja": "45分以内に到達できる雇用（人口加重）",
                                    "en": "Jobs within 45 min (pop.-weighted)"},
    "kpi.jobs_60min_pop_weighted": {"ja": "60分以内に到達できる雇用（人口加重）",
                                    "en": "Jobs within 60 min (pop.-weighted)"},
    "kpi.transfers_mean": {"ja": "乗換回数（平均）", "en": "Transfers per trip"},
    "kpi.walk_mean_min": {"ja": "徒歩時間（平均）", "en": "Walking per trip"},
    "kpi.ondemand_trips_pct": {"ja": "デマンド交通を使う移動", "en": "Trips using on-demand"},
    "kpi.drt_requests": {"ja": "デマンド交通の依頼数", "en": "DRT requests"},
    "kpi.drt_served_pct": {"ja": "デマンド交通の対応率", "en": "DRT served"},
    "kpi.drt_wait_mean_min": {"ja": "デマンド交通の待ち時間（平均）", "en": "DRT wait, mean"},
    "kpi.drt_vehicle_km": {"ja": "デマンド車両の走行距離", "en": "DRT vehicle-km"},
    "kpi.drt_occupancy": {"ja": "デマンド車両の乗車効率（人km/台km）",
                          "en": "DRT occupancy (pax-km / veh-km)"},
    "kpi.drt_vehicle_hours": {"ja": "デマンド車両の稼働時間", "en": "DRT vehicle-hours"},
    "kpi.bus_vehicle_hours": {"ja": "バスの運行時間", "en": "Bus vehicle-hours"},
    "kpi.bus_vehicle_km": {"ja": "バスの走行距離", "en": "Bus vehicle-km"},
    "kpi.vehicle_hours_total": {"ja": "総車両時間（費用の目安）",
                                "en": "Vehicle-hours (cost proxy)"},
    "kpi.co2_kg_total": {"ja": "CO2排出量（バス＋デマンド）", "en": "CO2 (bus + DRT)"},
}


def languages() -> tuple[str, ...]:
    """Return the languages the pages speak."""
    return LANGUAGES


def messages(lang: str) -> dict[str, str]:
    """Return every UI string in ``lang``.

    Parameters
    ----------
    lang : str
        One of :data:`LANGUAGES`.

    Returns
    -------
    dict
        Message key -> text.

    Raises
    ------
    ValueError
        When ``lang`` is not a supported language.
    """
    if lang not in LANGUAGES:
        raise ValueError(f"lang: {lang!r} is not one of {', '.join(LANGUAGES)}")
    return {key: texts[lang] for key, texts in _CATALOGUE.items()}


def catalogue() -> Mapping[str, Mapping[str, str]]:
    """Return the whole catalogue (key -> language -> text), for tests."""
    return _CATALOGUE


def pick_language(req: Request) -> str:
    """Return the language of a request: ``?lang=``, the cookie, ``Accept-Language``, Japanese."""
    asked = req.args.get("lang", "")
    if asked in LANGUAGES:
        return asked
    kept = req.cookies.get(COOKIE, "")
    if kept in LANGUAGES:
        return kept
    best = req.accept_languages.best_match(LANGUAGES)
    return best or DEFAULT_LANGUAGE
