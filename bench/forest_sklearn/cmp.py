# cmp.py: scikit-learn against our forest on the data of gen.py (bench/forest_sklearn/run.sh).
import numpy as np
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import roc_auc_score
tr=np.loadtxt('train.txt'); te=np.loadtxt('test.txt'); X,y,w=tr[:,:6],tr[:,6],tr[:,7]; Xt,yt=te[:,:6],te[:,6]
m=RandomForestClassifier(criterion="log_loss",n_estimators=100,random_state=42).fit(X,y,sample_weight=w)
ps=m.predict_proba(Xt)[:,1]; po=np.loadtxt('ours.txt')
m2=RandomForestClassifier(criterion="log_loss",n_estimators=100,random_state=7).fit(X,y,sample_weight=w); ps2=m2.predict_proba(Xt)[:,1]
print("AUC sklearn %.4f ours %.4f | acc sklearn %.4f ours %.4f"%(roc_auc_score(yt,ps),roc_auc_score(yt,po),((ps>.5)==yt).mean(),((po>.5)==yt).mean()))
print("mean |p_ours - p_sk| %.4f, corr %.4f; sklearn seed 42 vs 7: mean |dp| %.4f, corr %.4f"%(abs(po-ps).mean(),np.corrcoef(po,ps)[0,1],abs(ps2-ps).mean(),np.corrcoef(ps2,ps)[0,1]))
print("mean leaves/tree sklearn %.1f"%np.mean([e.tree_.n_leaves for e in m.estimators_]))
